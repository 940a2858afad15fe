// Optimizer updates over flat f32 buffers (params, grads and moments share one layout), PyTorch's formulas as
// in src/kernels/js/optim.ts. Coefficients arrive as f64 and are rounded to f32 once; the math is f32 SIMD.

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** Adam: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= (lr/bc1)·m / (sqrt(v)/sqrt(bc2) + eps). */
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32,
                     lr: f64, beta1: f64, beta2: f64, eps: f64, bc1: f64, bc2: f64): void {
  const b1 = <f32>beta1, c1 = <f32>(1 - beta1), b2 = <f32>beta2, c2 = <f32>(1 - beta2);
  const step = <f32>(lr / bc1), sb = <f32>Math.sqrt(bc2), e = <f32>eps;
  const b1v = f32x4.splat(b1), c1v = f32x4.splat(c1), b2v = f32x4.splat(b2), c2v = f32x4.splat(c2);
  const stepv = f32x4.splat(step), sbv = f32x4.splat(sb), ev = f32x4.splat(e);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gi = v128.load(f(g, i));
    const mi = f32x4.add(f32x4.mul(b1v, v128.load(f(m, i))), f32x4.mul(c1v, gi));
    const vi = f32x4.add(f32x4.mul(b2v, v128.load(f(v, i))), f32x4.mul(c2v, f32x4.mul(gi, gi)));
    v128.store(f(m, i), mi);
    v128.store(f(v, i), vi);
    const den = f32x4.add(f32x4.div(f32x4.sqrt(vi), sbv), ev);
    v128.store(f(p, i), f32x4.sub(v128.load(f(p, i)), f32x4.div(f32x4.mul(stepv, mi), den)));
  }
  for (; i < n; i++) {
    const gi = load<f32>(f(g, i));
    const mi = b1 * load<f32>(f(m, i)) + c1 * gi;
    const vi = b2 * load<f32>(f(v, i)) + c2 * (gi * gi);
    store<f32>(f(m, i), mi);
    store<f32>(f(v, i), vi);
    store<f32>(f(p, i), load<f32>(f(p, i)) - (step * mi) / (sqrt<f32>(vi) / sb + e));
  }
}

/** RMSprop: v = α·v + (1−α)·g²; p −= lr·g / (sqrt(v) + eps). */
export function rmsprop(p: usize, g: usize, v: usize, n: i32, lr: f64, alpha: f64, eps: f64): void {
  const a = <f32>alpha, ca = <f32>(1 - alpha), l = <f32>lr, e = <f32>eps;
  const av = f32x4.splat(a), cav = f32x4.splat(ca), lv = f32x4.splat(l), ev = f32x4.splat(e);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gi = v128.load(f(g, i));
    const vi = f32x4.add(f32x4.mul(av, v128.load(f(v, i))), f32x4.mul(cav, f32x4.mul(gi, gi)));
    v128.store(f(v, i), vi);
    const den = f32x4.add(f32x4.sqrt(vi), ev);
    v128.store(f(p, i), f32x4.sub(v128.load(f(p, i)), f32x4.div(f32x4.mul(lv, gi), den)));
  }
  for (; i < n; i++) {
    const gi = load<f32>(f(g, i));
    const vi = a * load<f32>(f(v, i)) + ca * (gi * gi);
    store<f32>(f(v, i), vi);
    store<f32>(f(p, i), load<f32>(f(p, i)) - (l * gi) / (sqrt<f32>(vi) + e));
  }
}

/** Adagrad: v += g²; p −= lr·g / (sqrt(v) + eps). */
export function adagrad(p: usize, g: usize, v: usize, n: i32, lr: f64, eps: f64): void {
  const l = <f32>lr, e = <f32>eps;
  const lv = f32x4.splat(l), ev = f32x4.splat(e);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gi = v128.load(f(g, i));
    const vi = f32x4.add(v128.load(f(v, i)), f32x4.mul(gi, gi));
    v128.store(f(v, i), vi);
    const den = f32x4.add(f32x4.sqrt(vi), ev);
    v128.store(f(p, i), f32x4.sub(v128.load(f(p, i)), f32x4.div(f32x4.mul(lv, gi), den)));
  }
  for (; i < n; i++) {
    const gi = load<f32>(f(g, i));
    const vi = load<f32>(f(v, i)) + gi * gi;
    store<f32>(f(v, i), vi);
    store<f32>(f(p, i), load<f32>(f(p, i)) - (l * gi) / (sqrt<f32>(vi) + e));
  }
}

/** SGD with momentum: m = μ·m + g; p −= lr·m (μ = 0: p −= lr·g, m untouched). */
export function sgd(p: usize, g: usize, m: usize, n: i32, lr: f64, momentum: f64): void {
  const l = <f32>lr, mu = <f32>momentum;
  const lv = f32x4.splat(l), muv = f32x4.splat(mu);
  let i = 0;
  if (momentum == 0) {
    for (; i + 4 <= n; i += 4) v128.store(f(p, i), f32x4.sub(v128.load(f(p, i)), f32x4.mul(lv, v128.load(f(g, i)))));
    for (; i < n; i++) store<f32>(f(p, i), load<f32>(f(p, i)) - l * load<f32>(f(g, i)));
    return;
  }
  for (; i + 4 <= n; i += 4) {
    const mi = f32x4.add(f32x4.mul(muv, v128.load(f(m, i))), v128.load(f(g, i)));
    v128.store(f(m, i), mi);
    v128.store(f(p, i), f32x4.sub(v128.load(f(p, i)), f32x4.mul(lv, mi)));
  }
  for (; i < n; i++) {
    const mi = mu * load<f32>(f(m, i)) + load<f32>(f(g, i));
    store<f32>(f(m, i), mi);
    store<f32>(f(p, i), load<f32>(f(p, i)) - l * mi);
  }
}
