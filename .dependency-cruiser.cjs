// The layers of the code and the one direction they point (DESIGN.md, "Layers point one way"),
// checked by `npm run lint` (lint:layers). A module may import its own layer and the
// layers below it, never one above, and no import may close a cycle. Type-only imports count:
// a type that points up is a dependency that points up.
//
//   shared/                                   pure contract and rules (no Node, no DOM)
//   base: files/ jobs/ paths settings projects domainError appVersion
//   imaging/ -> dataset/ -> nnunet/ -> results/, schedulers/
//   service (service.ts, service/)            the one door
//   transport/                                the transports' shared pieces
//   cli/ cli.ts ipc.ts server.ts main.ts preload.ts   the entry points, on top
//   renderer/                                 the page: shared/ only, never electron/
//
// Each layer lists the paths it holds; ranks go up with the list.
const LAYERS = [
  ['shared', ['^shared/']],
  ['base', ['^electron/(files|jobs)/', '^electron/(paths|settings|projects|domainError|appVersion)\\.ts$']],
  ['imaging', ['^electron/imaging/']],
  ['dataset', ['^electron/dataset/']],
  ['nnunet', ['^electron/nnunet/']],
  ['results, schedulers', ['^electron/(results|schedulers)/']],
  ['service', ['^electron/service\\.ts$', '^electron/service/']],
  ['transport', ['^electron/transport/']],
  ['entry points', ['^electron/cli/', '^electron/(cli|ipc|server|main|preload)\\.ts$']],
]

const upward = LAYERS.slice(0, -1).map(([name, paths], i) => ({
  name: `layer-${name.replace(/\W+/g, '-')}`,
  comment: `${name} is below ${LAYERS.slice(i + 1)
    .map(([n]) => n)
    .join(', ')}: it may not import them (move the shared piece down, or pass it in from above).`,
  severity: 'error',
  from: { path: paths },
  to: { path: LAYERS.slice(i + 1).flatMap(([, p]) => p) },
}))

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Modules that import each other (directly or round a ring) cannot be layered, tested or loaded on their own; a dynamic import() hides a cycle, it does not break it.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'entry-points-apart',
      comment: 'The IPC, HTTP and Electron shells do not import the command line (cli/ may start the server).',
      severity: 'error',
      from: { path: '^electron/(ipc|server|main|preload)\\.ts$' },
      to: { path: ['^electron/cli/', '^electron/cli\\.ts$'] },
    },
    {
      name: 'renderer-knows-no-node',
      comment: 'The renderer reaches the Node side only through the Api (renderer/api.ts); it imports shared/, never electron/.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^electron/' },
    },
    {
      name: 'node-side-not-renderer',
      comment: 'electron/ and shared/ do not import the page.',
      severity: 'error',
      from: { path: '^(electron|shared)/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'A relative import that resolves to no file (a module moved without its importers).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },

}
