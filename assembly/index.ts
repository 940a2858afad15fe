// The wasm kernels module: compiled by asc (see package.json "build") to dist/kernels.wasm with SIMD128, an
// imported shared memory (env.memory) and the stub runtime. It owns no memory of its own: every pointer is a
// byte offset chosen by the TypeScript side (src/kernels/wasm/backend.ts), which also runs the threads.
// No static data either, so instantiating it again in a worker writes nothing into the shared memory.

export { gemm, gemv, gemmScratchBytes } from "./gemm";
export { addBias, sumRows, gatherCols, scatterAddCols, lstmCellForward, lstmCellBackward, softmaxXent,
         mul, sumSquares, scale, clamp } from "./pointwise";
export { recurrentPackFloats, packRecurrent, lstmStepForward, lstmStepBackward, lstmStep1 } from "./lstm_step";
export { adam, rmsprop, adagrad, sgd } from "./optim";
export { mathConstantsBytes, writeMathConstants } from "./math";
