// What to do, worded for both doors: the same message reaches the app (a finding, an error
// banner) and the terminal (nnunet-wizard env/plan/train/predict). Each action names the app's
// control and the command-line flag, so neither reader is sent to a button or a flag they lack.

export const HOW = {
  install: 'install nnU-Net into the managed environment (in the app: "Install nnU-Net for me"; on the command line: nnunet-wizard env --install; needs Python 3.10 or newer on PATH)',
  pickPython: 'choose the Python of an environment that has nnU-Net (in the app: the Environment step; on the command line: --python PATH, kept with env --save)',
  folders: 'choose or create the nnU-Net folders (in the app: the Environment step; on the command line: --base DIR, or env --create-folders DIR once)',
  device: 'choose device "cpu" (slow) or "mps" (Apple silicon) (in the app: Device in the Train and Predict steps; on the command line: --device cpu)',
} as const

/** "Use X, or Y." with the first letter raised. */
export function either(...actions: string[]): string {
  const s = actions.join(', or ')
  return s.charAt(0).toUpperCase() + s.slice(1) + '.'
}
