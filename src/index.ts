// char-lstm's public API: re-exports only. Everything here runs in Node and in the browser (no fs,
// no process, no DOM); the Node-only helpers live under char-lstm's CLI and io modules.

export { CharLSTM, type Workspace, type ForwardOptions } from "./model.js";
export { Trainer, runTraining, evaluateTokens, evaluateWindows, evalsSinceBest, TrainingError, bpc, type TrainState, type StepReport, type EvalReport, type RunHooks, type DoneReport, type HistoryPoint, type StepEngine, type EngineState, type StepOutcome } from "./train.js";
export { Sampler, sampleChars, sampleText, SampleError, type SampleOptions } from "./sample.js";
export { SampleBatch, sampleBatch, streamSeed, type BatchSample } from "./sample_batch.js";
export { generate, sample, SAMPLES_PER_BATCH, type GenerateRequest, type GenerateControl, type GenerateEvent, type GenerateResult } from "./generate.js";
export { beamSearch, beamSteps, type Beam, type BeamOptions } from "./beam.js";
export { NoveltyIndex, novelty, suffixArray, type NoveltyReport } from "./novelty.js";
export { traceText, rankCells, textFeatures, featureShows, cellSeries, correlation, type Trace, type TraceOptions, type Feature, type RankedCell, type CellValue } from "./visualize.js";
export { fineTuneModel, fineTuneTrainer, type FineTuneModel } from "./finetune.js";
export { historySvg, curveTitle, bestPoint, type CurveOptions } from "./plot.js";
export { Corpus, CorpusError, decodeUtf8, MAX_VOCAB, type Split } from "./data/corpus.js";
export { ArrayTokenSource, Fingerprint, TOKENS_FORMAT, type TokenSource, type TokenArray, type TokenFileMeta } from "./data/tokens.js";
export { Vocab, VocabError, type UnknownPolicy } from "./data/vocab.js";
export { StreamBatcher } from "./data/loader.js";
export { encodeCheckpoint, checkpointTensors, decodeCheckpoint, decodeCheckpoint as loadCheckpoint, CheckpointError, FORMAT, type LoadedCheckpoint, type TrainingRecord } from "./checkpoint.js";
export { restoreTrainer } from "./resume.js";
export { encodeSafetensors, decodeSafetensors, openSafetensors, safetensorsHeader, safetensorsPieces, SafetensorsError, type Tensor, type DType, type TensorInfo, type SafetensorsFile } from "./safetensors.js";
export { defaultModel, defaultTrain, validateModel, validateTrain, type ModelConfig, type TrainConfig, type OptimizerName } from "./config.js";
export { MODEL_OPTIONS, TRAIN_OPTIONS, RESUMABLE, type OptionRow, type OptionField } from "./options.js";
export { resolveTrainConfig, spaceValidation, VALIDATION_SPACING, type GivenOptions, type ResolvedConfig } from "./resolve.js";
export { RECIPES, chooseRecipe, probeRecipe, pickRecipe, applyRecipe, describePick, describeRecipe, type Recipe, type RecipeRow, type RecipeShape, type RateHook, type RecipePick, type RecipeRecord } from "./recipe.js";
export { trainerProbe, measureRate, probeSlice, PROBE_FRACTION, PROBE_MAX_SECONDS } from "./recipe_probe.js";
export { messageIn, fieldSpelling, flagSpelling, type Spelling } from "./spelling.js";
export { paramSpec, paramViews, paramCount, type ParamSpec, type ParamViews } from "./params.js";
export { Optimizer } from "./optim/optimizer.js";
export { clipGradients } from "./optim/clip.js";
export { learningRate, scheduleProgress, scheduledRate, type Schedule, type TimeSpan } from "./optim/schedule.js";
export { Rng, sampleMult, type RngState } from "./rng.js";
export { exportOnnx, cheaperInput, reorderGates, ONNX_FORMAT, ONNX_OPSET, ONNX_FROM_OURS, type OnnxExport, type OnnxExportOptions, type OnnxInfo, type OnnxInput } from "./export/onnx.js";
export { checkOnnx, OnnxCheckError, type OnnxSummary } from "./export/onnx_check.js";
export { jsKernels } from "./kernels/js/index.js";
export { GATES, type Kernels, type FloatArray } from "./kernels/types.js";
