// The pointwise kernels, written once over a small vector vocabulary and included by pointwise.c once per
// instruction set (AVX-512: 16 lanes with mask registers; AVX2: 8 lanes with mask vectors). The includer
// defines: TGT (target attribute), F(name) (suffixed name), W (lanes), VT (vector type), MT (mask type),
// MASK(n) (first n lanes), LD/ST (full), LDM/STM (masked), SET1, ADD, SUB, MUL, DIV, FMA (a·b + c),
// FNMA (c − a·b), MINK/MAXK (NaN in the second operand kept), SQRT, ZEROM(v, m) (lanes outside m set to 0),
// VEXP2N(p, n) (p·2^n for integral-valued n), ROUND(x) (to nearest), LANE(v, i).
//
// exp(x) = 2^n · e^r, n = round(x·log2 e), r = x − n·ln2 (Cody–Waite, two parts), e^r by Cephes' degree-6
// polynomial: max relative error ~1e-7 over the clamped range [ln 2^-126, ln FLT_MAX]. The clamps put the
// constant first, so NaN inputs stay NaN. σ(x) = 1/(1 + e^−x), tanh(x) = 2σ(2x) − 1.

TGT static inline VT F(vexp)(VT x) {
  x = MINK(SET1(88.3762626647949f), x);
  x = MAXK(SET1(-87.33654475f), x);
  const VT n = ROUND(MUL(x, SET1(1.44269504088896341f)));
  VT r = FNMA(n, SET1(0.693359375f), x);
  r = FNMA(n, SET1(-2.12194440e-4f), r);
  const VT z = MUL(r, r);
  VT p = SET1(1.9875691500e-4f);
  p = FMA(p, r, SET1(1.3981999507e-3f));
  p = FMA(p, r, SET1(8.3334519073e-3f));
  p = FMA(p, r, SET1(4.1665795894e-2f));
  p = FMA(p, r, SET1(1.6666665459e-1f));
  p = FMA(p, r, SET1(5.0000001201e-1f));
  p = ADD(FMA(p, z, r), SET1(1.0f));
  return VEXP2N(p, n);
}

TGT static inline VT F(vsigmoid)(VT x) {
  const VT one = SET1(1.0f);
  return DIV(one, ADD(one, F(vexp)(MUL(x, SET1(-1.0f)))));
}

TGT static inline VT F(vtanh)(VT x) {
  const VT one = SET1(1.0f);
  return SUB(DIV(SET1(2.0f), ADD(one, F(vexp)(MUL(x, SET1(-2.0f))))), one);
}

/** Cell forward for W units from j (m: the lanes in range): see nk_cell_forward. */
TGT static inline void F(cell_fwd)(float *gi, float *cb, float *tb, float *hb, const float *pb, int j, int H, MT m) {
  float *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
  const VT i = F(vsigmoid)(LDM(gi + j, m)), f = F(vsigmoid)(LDM(gf + j, m));
  const VT g = F(vtanh)(LDM(gg + j, m)), o = F(vsigmoid)(LDM(go + j, m));
  STM(gi + j, m, i); STM(gf + j, m, f); STM(gg + j, m, g); STM(go + j, m, o);
  const VT c = FMA(f, LDM(pb + j, m), MUL(i, g));
  const VT tc = F(vtanh)(c);
  STM(cb + j, m, c);
  STM(tb + j, m, tc);
  STM(hb + j, m, MUL(o, tc));
}

TGT static void F(cell_forward)(float *gates, float *c, float *tanhC, float *h, const float *cPrev, int B, int H,
                                int u0, int u1) {
  const MT full = MASK(W);
  for (int b = 0; b < B; b++) {
    float *gi = gates + (size_t)b * 4 * H;
    const size_t s = (size_t)b * H;
    int j = u0;
    for (; j + W <= u1; j += W) F(cell_fwd)(gi, c + s, tanhC + s, h + s, cPrev + s, j, H, full);
    if (j < u1) F(cell_fwd)(gi, c + s, tanhC + s, h + s, cPrev + s, j, H, MASK(u1 - j));
  }
}

TGT static inline void F(cell_bwd)(const float *gi, float *di, float *dcb, const float *dhb, const float *pb,
                                   const float *tb, int j, int H, MT m) {
  const VT one = SET1(1.0f);
  const VT i = LDM(gi + j, m), f = LDM(gi + H + j, m), g = LDM(gi + 2 * H + j, m), o = LDM(gi + 3 * H + j, m);
  const VT tc = LDM(tb + j, m), dh = LDM(dhb + j, m);
  // h = o⊙tanh(c) → do = dh⊙tanh(c); dc += dh⊙o⊙(1 − tanh²(c))
  const VT dc = ADD(LDM(dcb + j, m), MUL(MUL(dh, o), SUB(one, MUL(tc, tc))));
  const VT dO = MUL(dh, tc);
  // c = f⊙cPrev + i⊙g → di = dc⊙g, df = dc⊙cPrev, dg = dc⊙i, dcPrev = dc⊙f
  const VT dI = MUL(dc, g), dF = MUL(dc, LDM(pb + j, m)), dG = MUL(dc, i);
  STM(dcb + j, m, MUL(dc, f));
  // through the nonlinearities: σ' = σ(1−σ), tanh' = 1 − tanh²
  STM(di + j, m, MUL(MUL(dI, i), SUB(one, i)));
  STM(di + H + j, m, MUL(MUL(dF, f), SUB(one, f)));
  STM(di + 2 * H + j, m, MUL(dG, SUB(one, MUL(g, g))));
  STM(di + 3 * H + j, m, MUL(MUL(dO, o), SUB(one, o)));
}

TGT static void F(cell_backward)(float *dA, float *dc, const float *dh, const float *gates, const float *cPrev,
                                 const float *tanhC, int B, int H, int u0, int u1) {
  const MT full = MASK(W);
  for (int b = 0; b < B; b++) {
    const float *gi = gates + (size_t)b * 4 * H;
    float *di = dA + (size_t)b * 4 * H;
    const size_t s = (size_t)b * H;
    int j = u0;
    for (; j + W <= u1; j += W) F(cell_bwd)(gi, di, dc + s, dh + s, cPrev + s, tanhC + s, j, H, full);
    if (j < u1) F(cell_bwd)(gi, di, dc + s, dh + s, cPrev + s, tanhC + s, j, H, MASK(u1 - j));
  }
}

/** Softmax + cross-entropy rows (see nk_softmax_xent). The row max skips NaN, so a NaN logit reaches the sum. */
TGT static double F(softmax_xent)(float *logits, const int32_t *targets, int R, int V, double scale) {
  double loss = 0;
  const float sc = (float)scale;
  for (int r = 0; r < R; r++) {
    float *o = logits + (size_t)r * V;
    VT mv = SET1(-INFINITY);
    int v = 0;
    for (; v + W <= V; v += W) mv = MAXK(LD(o + v), mv);          // max(x, acc): a NaN x leaves acc
    float mx = -INFINITY;
    for (int l = 0; l < W; l++) { const float x = LANE(mv, l); if (x > mx) mx = x; }
    for (; v < V; v++) if (o[v] > mx) mx = o[v];
    const int y = targets[r];
    const double zy = (double)o[y] - (double)mx;
    const VT mxv = SET1(mx);
    VT sv = SET1(0.0f);
    for (v = 0; v < V; v += W) {
      const MT m = MASK(V - v);
      const VT e = F(vexp)(SUB(LDM(o + v, m), mxv));
      STM(o + v, m, e);
      sv = ADD(sv, ZEROM(e, m));
    }
    double sum = 0;
    for (int l = 0; l < W; l++) sum += (double)LANE(sv, l);
    loss += log(sum) - zy;
    const VT wv = SET1((float)(scale / sum));
    for (v = 0; v < V; v += W) {
      const MT m = MASK(V - v);
      STM(o + v, m, MUL(LDM(o + v, m), wv));
    }
    o[y] -= sc;
  }
  return loss;
}

// Optimizer updates (PyTorch's formulas, as src/kernels/js/optim.ts): coefficients rounded to f32 once.

TGT static void F(adam)(float *p, const float *g, float *m, float *v, int n, double lr, double beta1, double beta2,
                        double eps, double bc1, double bc2) {
  const VT b1 = SET1((float)beta1), c1 = SET1((float)(1 - beta1)), b2 = SET1((float)beta2), c2 = SET1((float)(1 - beta2));
  const VT step = SET1((float)(lr / bc1)), sb = SET1((float)sqrt(bc2)), e = SET1((float)eps);
  for (int i = 0; i < n; i += W) {
    const MT k = MASK(n - i);
    const VT gi = LDM(g + i, k);
    const VT mi = ADD(MUL(b1, LDM(m + i, k)), MUL(c1, gi));
    const VT vi = ADD(MUL(b2, LDM(v + i, k)), MUL(c2, MUL(gi, gi)));
    STM(m + i, k, mi);
    STM(v + i, k, vi);
    const VT den = ADD(DIV(SQRT(vi), sb), e);
    STM(p + i, k, SUB(LDM(p + i, k), DIV(MUL(step, mi), den)));
  }
}

TGT static void F(rmsprop)(float *p, const float *g, float *v, int n, double lr, double alpha, double eps) {
  const VT a = SET1((float)alpha), ca = SET1((float)(1 - alpha)), l = SET1((float)lr), e = SET1((float)eps);
  for (int i = 0; i < n; i += W) {
    const MT k = MASK(n - i);
    const VT gi = LDM(g + i, k);
    const VT vi = ADD(MUL(a, LDM(v + i, k)), MUL(ca, MUL(gi, gi)));
    STM(v + i, k, vi);
    STM(p + i, k, SUB(LDM(p + i, k), DIV(MUL(l, gi), ADD(SQRT(vi), e))));
  }
}

TGT static void F(adagrad)(float *p, const float *g, float *v, int n, double lr, double eps) {
  const VT l = SET1((float)lr), e = SET1((float)eps);
  for (int i = 0; i < n; i += W) {
    const MT k = MASK(n - i);
    const VT gi = LDM(g + i, k);
    const VT vi = ADD(LDM(v + i, k), MUL(gi, gi));
    STM(v + i, k, vi);
    STM(p + i, k, SUB(LDM(p + i, k), DIV(MUL(l, gi), ADD(SQRT(vi), e))));
  }
}

TGT static void F(sgd)(float *p, const float *g, float *m, int n, double lr, double momentum) {
  const VT l = SET1((float)lr), mu = SET1((float)momentum);
  for (int i = 0; i < n; i += W) {
    const MT k = MASK(n - i);
    if (momentum == 0) {
      STM(p + i, k, SUB(LDM(p + i, k), MUL(l, LDM(g + i, k))));
    } else {
      const VT mi = ADD(MUL(mu, LDM(m + i, k)), LDM(g + i, k));
      STM(m + i, k, mi);
      STM(p + i, k, SUB(LDM(p + i, k), MUL(l, mi)));
    }
  }
}
