// nnU-Net v2's "Trainer 'X' not found in nnunetv2.training.nnUNetTrainer." is printed for every
// trainer of the app's (generated or own) before it finds it on nnUNet_extTrainer: the log pane
// marks it as normal with what it means instead of leaving it to read as a failure. The line is
// taken from nnunetv2's own find_objects.py as installed (when the venv exists), so a change of
// wording upstream fails here.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { benignNote, ErrorLines } from '../../shared/logLevel'
import { nnunetPython } from '../helpers/python'

describe('benignNote', () => {
  it("explains nnU-Net's 'Trainer ... not found' line of an external trainer, and nothing else", () => {
    const line = "Trainer 'nnUNetTrainer_Wizard_2ep_2it' not found in nnunetv2.training.nnUNetTrainer."
    expect(benignNote(line)).toMatch(/^normal for a trainer nnU-Net does not ship/)
    expect(new ErrorLines().push(line)).toBe(false)
    expect(benignNote("Searching in external trainer paths from environment variable 'nnUNet_extTrainer'...")).toMatch(/^normal/)
    expect(benignNote('RuntimeError: Could not find requested nnunet trainer X in nnunetv2.training.nnUNetTrainer')).toBeUndefined()
    expect(benignNote('Epoch 1')).toBeUndefined()
  })

  it('matches the line as the installed nnunetv2 prints it', () => {
    const py = nnunetPython('v2').python
    const lib = py ? join(dirname(dirname(py)), 'lib') : ''
    const version = lib && existsSync(lib) ? readdirSync(lib).find((n) => n.startsWith('python')) : undefined
    const file = version ? join(lib, version, 'site-packages', 'nnunetv2', 'utilities', 'find_objects.py') : ''
    if (!file || !existsSync(file)) return
    const source = readFileSync(file, 'utf8')
    expect(source).toContain(`f"Trainer '{trainer_name}' not found in nnunetv2.training.nnUNetTrainer.\\n"`)
  })
})
