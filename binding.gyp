{
  "targets": [
    {
      "target_name": "char_lstm_native",
      "sources": ["native/addon.c", "native/gemm.c", "native/lstm.c", "native/pointwise.c", "native/peak.c"],
      "cflags": ["-O3", "-std=gnu11"],
      "cflags!": ["-O2"]
    }
  ]
}
