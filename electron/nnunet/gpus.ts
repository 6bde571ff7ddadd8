// Which GPUs a training's process sees. nnU-Net's documented use of several GPUs is one fold per
// GPU, each process started with CUDA_VISIBLE_DEVICES=<its GPU> (a single run over several
// GPUs is -num_gpus N, DDP). The request names the GPU indices as nvidia-smi lists them;
// CUDA_DEVICE_ORDER=PCI_BUS_ID makes CUDA number them the same way.
import type { TrainRequest } from '../../shared/schema'

export function gpuEnv(req: Pick<TrainRequest, 'gpus' | 'numGpus'>): Record<string, string> {
  if (!req.gpus?.length) return {}
  if (req.numGpus && req.numGpus > req.gpus.length) {
    throw new Error(`-num_gpus ${req.numGpus} needs as many GPUs, but this run is given ${req.gpus.length} (${req.gpus.join(', ')}).`)
  }
  return { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', CUDA_VISIBLE_DEVICES: req.gpus.join(',') }
}
