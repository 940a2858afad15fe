// char-lstm/node: the Node-only entry (files, worker threads). The core API is in "char-lstm".

export { createKernels, defaultThreads, type BackendChoice, type CreateKernelsOptions, type SelectedKernels } from "./kernels/select.js";
export { loadWasmKernelsNode } from "./kernels/wasm/node.js";
export { readBytes, writeAtomic, ensureWritableDir, defaultCorpusPath, defaultCorpusText, MOBY_DICK_SHA256, IOError } from "./io/node.js";
export { encodeTextFile, stageTextFile, openTokens, readTokenMeta, FileTokenSource, scanChars, DEFAULT_DOC_SEP, type DocumentInfo, type StagedTokens } from "./io/tokenfile.js";
export { resolveInputs, expandGlob, type ResolvedInputs } from "./io/inputs.js";
export { loadCheckpointFile, saveCheckpointFile, openSafetensorsFile, writeSafetensorsFile } from "./io/checkpoint_file.js";
export { makeDirs } from "./io/dirs.js";
export { main as cliMain } from "./cli/main.js";
