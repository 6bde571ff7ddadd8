// nnU-Net from the Node side: environment, folders, argv, runner. No Electron import, so the CLI,
// the browser-mode server and the tests use exactly what the desktop app uses.
export { detectEnv, detectGpus, candidatePythons } from './detect'
export { installNnunet } from './install'
export { createFolders, folderStatus, shellExports, folderEnv, optionEnv, foldersUnder, idCollisions, idClashFindings, trainedModels } from './folders'
export { runPlan, runTrain, runPredict, runFindBest, foldsWithoutNpz, npzFindings, childEnv, resolveTrainer, trainingOutputFolder, datasetFolderName } from './pipeline'
export type { TrainResult } from './pipeline'
export { resolvePython, managedVenvDir, venvPython } from './python'
export { runTool } from './runner'
export { killTree, spawnTree, groupMembers } from './processTree'
export { RunQueue, newEntryId } from './queue'
