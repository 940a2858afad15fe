// Node-API binding of the native kernels (context-aware: loads in the main thread and in every pool worker).
//
// Pointers travel as plain numbers: address(view) gives the absolute address of a typed array's first
// element (napi_get_typedarray_info works on views of the shared WebAssembly.Memory, and the memory never
// moves when it grows), and the TypeScript side passes base + byteOffset for every buffer. The addon keeps no
// state shared between threads except the instruction set chosen at load (per process, never changed after).

#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include "nk.h"

#define MAXARGS 16

static napi_value num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

/** Reads up to MAXARGS numeric arguments into d (missing ones are 0). */
static int args(napi_env env, napi_callback_info info, double *d, size_t want) {
  napi_value argv[MAXARGS];
  size_t argc = MAXARGS;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    napi_throw_type_error(env, NULL, "char-lstm native: too few arguments");
    return 0;
  }
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_double(env, argv[i], &d[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "char-lstm native: arguments must be numbers");
      return 0;
    }
  }
  return 1;
}

#define P(x) ((float *)(uintptr_t)(x))
#define I(x) ((int)(x))

static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  const int isa = nk_isa();
  napi_value r;
  napi_create_string_utf8(env, isa == NK_AVX512 ? "avx512" : isa == NK_AVX2 ? "avx2" : "none", NAPI_AUTO_LENGTH, &r);
  return r;
}

static napi_value js_set_isa(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  char name[16] = {0};
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "char-lstm native: setIsa(name) needs a string");
    return NULL;
  }
  nk_set_isa(strcmp(name, "avx512") == 0 ? NK_AVX512 : strcmp(name, "avx2") == 0 ? NK_AVX2 : NK_NONE);
  return js_isa(env, info);
}

static napi_value js_address(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *data = NULL;
  size_t length = 0;
  napi_typedarray_type type;
  if (argc < 1 || napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL, "char-lstm native: address(view) needs a typed array");
    return NULL;
  }
  return num(env, (double)(uintptr_t)data);
}

static napi_value js_gemm(napi_env env, napi_callback_info info) {
  double d[12];
  if (args(env, info, d, 12)) nk_gemm(I(d[0]), I(d[1]), I(d[2]), I(d[3]), I(d[4]), P(d[5]), I(d[6]), P(d[7]), I(d[8]), P(d[9]), I(d[10]), I(d[11]));
  return NULL;
}

static napi_value js_gemv(napi_env env, napi_callback_info info) {
  double d[8];
  if (args(env, info, d, 8)) nk_gemv(I(d[0]), I(d[1]), I(d[2]), P(d[3]), P(d[4]), I(d[5]), P(d[6]), I(d[7]));
  return NULL;
}

static napi_value js_pack_floats(napi_env env, napi_callback_info info) {
  double d[1];
  if (!args(env, info, d, 1)) return NULL;
  return num(env, (double)nk_recurrent_pack_floats(I(d[0])));
}

static napi_value js_pack_recurrent(napi_env env, napi_callback_info info) {
  double d[4];
  if (args(env, info, d, 4)) nk_pack_recurrent(P(d[0]), I(d[1]), P(d[2]), I(d[3]));
  return NULL;
}

static napi_value js_step_forward(napi_env env, napi_callback_info info) {
  double d[12];
  if (args(env, info, d, 12)) {
    nk_step_forward(P(d[0]), P(d[1]), P(d[2]), d[3] != 0 ? P(d[3]) : NULL, P(d[4]), P(d[5]), P(d[6]), P(d[7]),
                    I(d[8]), I(d[9]), I(d[10]), I(d[11]));
  }
  return NULL;
}

static napi_value js_step_backward(napi_env env, napi_callback_info info) {
  double d[13];
  if (args(env, info, d, 13)) {
    nk_step_backward(d[0] != 0 ? P(d[0]) : NULL, P(d[1]), P(d[2]), P(d[3]), P(d[4]), P(d[5]), P(d[6]), P(d[7]),
                     d[8] != 0 ? P(d[8]) : NULL, I(d[9]), I(d[10]), I(d[11]), I(d[12]));
  }
  return NULL;
}

/** step1(xv, D, Wih, bih, bhh, hPrev, Whh, a, H, r0, r1): D < 0 means xv is a token of a one-hot layer of −D. */
static napi_value js_step1(napi_env env, napi_callback_info info) {
  double d[11];
  if (args(env, info, d, 11)) {
    const int D = I(d[1]);
    if (D < 0) nk_step1(I(d[0]), NULL, -D, P(d[2]), P(d[3]), P(d[4]), P(d[5]), P(d[6]), P(d[7]), I(d[8]), I(d[9]), I(d[10]));
    else nk_step1(-1, P(d[0]), D, P(d[2]), P(d[3]), P(d[4]), P(d[5]), P(d[6]), P(d[7]), I(d[8]), I(d[9]), I(d[10]));
  }
  return NULL;
}

static napi_value js_cell_forward(napi_env env, napi_callback_info info) {
  double d[7];
  if (args(env, info, d, 7)) nk_cell_forward(P(d[0]), P(d[1]), P(d[2]), P(d[3]), P(d[4]), I(d[5]), I(d[6]), 0, I(d[6]));
  return NULL;
}

static napi_value js_cell_backward(napi_env env, napi_callback_info info) {
  double d[8];
  if (args(env, info, d, 8)) nk_cell_backward(P(d[0]), P(d[1]), P(d[2]), P(d[3]), P(d[4]), P(d[5]), I(d[6]), I(d[7]), 0, I(d[7]));
  return NULL;
}

static napi_value js_softmax_xent(napi_env env, napi_callback_info info) {
  double d[5];
  if (!args(env, info, d, 5)) return NULL;
  return num(env, nk_softmax_xent(P(d[0]), (const int32_t *)(uintptr_t)d[1], I(d[2]), I(d[3]), d[4]));
}

static napi_value js_adam(napi_env env, napi_callback_info info) {
  double d[11];
  if (args(env, info, d, 11)) nk_adam(P(d[0]), P(d[1]), P(d[2]), P(d[3]), I(d[4]), d[5], d[6], d[7], d[8], d[9], d[10]);
  return NULL;
}

static napi_value js_rmsprop(napi_env env, napi_callback_info info) {
  double d[7];
  if (args(env, info, d, 7)) nk_rmsprop(P(d[0]), P(d[1]), P(d[2]), I(d[3]), d[4], d[5], d[6]);
  return NULL;
}

static napi_value js_adagrad(napi_env env, napi_callback_info info) {
  double d[6];
  if (args(env, info, d, 6)) nk_adagrad(P(d[0]), P(d[1]), P(d[2]), I(d[3]), d[4], d[5]);
  return NULL;
}

static napi_value js_sgd(napi_env env, napi_callback_info info) {
  double d[6];
  if (args(env, info, d, 6)) nk_sgd(P(d[0]), P(d[1]), P(d[2]), I(d[3]), d[4], d[5]);
  return NULL;
}

static napi_value js_peak(napi_env env, napi_callback_info info) {
  double d[1];
  if (!args(env, info, d, 1)) return NULL;
  return num(env, nk_peak_gflops(d[0]));
}

NAPI_MODULE_INIT() {
  nk_isa();
  const napi_property_descriptor props[] = {
    { "isa", NULL, js_isa, NULL, NULL, NULL, napi_default, NULL },
    { "setIsa", NULL, js_set_isa, NULL, NULL, NULL, napi_default, NULL },
    { "address", NULL, js_address, NULL, NULL, NULL, napi_default, NULL },
    { "gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL },
    { "gemv", NULL, js_gemv, NULL, NULL, NULL, napi_default, NULL },
    { "recurrentPackFloats", NULL, js_pack_floats, NULL, NULL, NULL, napi_default, NULL },
    { "packRecurrent", NULL, js_pack_recurrent, NULL, NULL, NULL, napi_default, NULL },
    { "lstmStepForward", NULL, js_step_forward, NULL, NULL, NULL, napi_default, NULL },
    { "lstmStepBackward", NULL, js_step_backward, NULL, NULL, NULL, napi_default, NULL },
    { "lstmStep1", NULL, js_step1, NULL, NULL, NULL, napi_default, NULL },
    { "lstmCellForward", NULL, js_cell_forward, NULL, NULL, NULL, napi_default, NULL },
    { "lstmCellBackward", NULL, js_cell_backward, NULL, NULL, NULL, napi_default, NULL },
    { "softmaxXent", NULL, js_softmax_xent, NULL, NULL, NULL, napi_default, NULL },
    { "adam", NULL, js_adam, NULL, NULL, NULL, napi_default, NULL },
    { "rmsprop", NULL, js_rmsprop, NULL, NULL, NULL, napi_default, NULL },
    { "adagrad", NULL, js_adagrad, NULL, NULL, NULL, napi_default, NULL },
    { "sgd", NULL, js_sgd, NULL, NULL, NULL, napi_default, NULL },
    { "peakGflops", NULL, js_peak, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
