// Which log lines are errors. Not the stream: nnU-Net, tqdm, pip and Python's warnings all write
// progress and notices to stderr, so colouring stderr red made a healthy prediction look like a
// failure. An error is what Python prints when something failed: a traceback (from its header to
// the exception line that ends it), an exception line, argparse's "prog: error: ...", or a line
// that says ERROR/CRITICAL/FATAL itself.
//
// Pure: no Node, no DOM.

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g
const TRACEBACK_START = /^Traceback \(most recent call last\):/
/** "RuntimeError: ...", "torch.OutOfMemoryError: ...", "KeyboardInterrupt", "AssertionError" at column 0. */
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)(?::|$)/
const ERROR_WORDS = /^(?:\S+: error: |(?:\[?\d{4}-\d{2}-\d{2}[ T][\d:.,]+\]?:?\s*)?(?:ERROR|CRITICAL|FATAL)\b|Segmentation fault|Killed$)/

/** Follows one stream line by line (a traceback spans many lines); one instance per stream. */
export class ErrorLines {
  private inTraceback = false

  /** True when `line` reports an error. */
  push(line: string): boolean {
    const text = line.replace(ANSI, '')
    if (TRACEBACK_START.test(text)) {
      this.inTraceback = true
      return true
    }
    if (this.inTraceback) {
      // The frames are indented; the first line at column 0 is the exception that ends it
      // ("During handling..." between chained tracebacks is part of the report too).
      if (/^\s/.test(text) || text === '' || /^During handling|^The above exception/.test(text)) return true
      this.inTraceback = false
      return true
    }
    return EXCEPTION_LINE.test(text) || ERROR_WORDS.test(text)
  }
}

/**
 * Lines of a healthy run that read like failures, each with what it means. nnU-Net v2 looks for a
 * trainer class in its own package first and says "Trainer 'X' not found in
 * nnunetv2.training.nnUNetTrainer." before it searches nnUNet_extTrainer, where the app's
 * generated and own trainers live: normal for every such trainer.
 */
const BENIGN: { test: RegExp; note: string }[] = [
  {
    test: /^Trainer '[^']+' not found in nnunetv2\.training\.nnUNetTrainer\.?$/,
    note: "normal for a trainer nnU-Net does not ship: it looks in nnUNet_extTrainer next (where this app's trainers are); 'Using trainer ... from' follows",
  },
  { test: /^Searching in external trainer paths from environment variable 'nnUNet_extTrainer'/, note: 'normal: the trainer folders this app put on nnUNet_extTrainer' },
]

/** What a line that looks like a failure but is part of a healthy run means; undefined for any other line. */
export function benignNote(line: string): string | undefined {
  const text = line.replace(ANSI, '').trim()
  return BENIGN.find((b) => b.test.test(text))?.note
}
