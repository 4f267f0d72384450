/**
 * The layers of src/, checked by test/layers.test.ts: imports only point down —
 * commands → cli → backend (the interface) → emu | native → core (errors.ts, xen.ts) —
 * and nothing imports in a circle. Type-only imports are not dependencies at run time (they
 * compile away): an emulator implementing the backend interface names its types.
 */
const layer = (name, path, mayNotReach) => ({
  name: `${name}-points-down`,
  severity: 'error',
  comment: `${name} may not import ${mayNotReach.join(', ')}`,
  from: { path },
  to: { path: mayNotReach.map((p) => `^src/${p}`) },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    layer('core', '^src/(errors|xen)\\.ts$', ['commands/', 'cli/', 'backend/', 'emu/', 'native/', 'shbuf/', 'smoke']),
    layer('emu', '^src/emu/', ['commands/', 'cli/', 'backend/', 'native/', 'shbuf/', 'smoke']),
    layer('native', '^src/native/', ['commands/', 'cli/', 'backend/', 'emu/', 'shbuf/', 'smoke']),
    layer('backend', '^src/backend/', ['commands/', 'cli/', 'shbuf/', 'smoke']),
    layer('shbuf and smoke', '^src/(shbuf/|smoke)', ['commands/', 'cli/', 'emu/', 'native/']),
    layer('cli', '^src/cli/', ['commands/']),
  ],
  options: {
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/native/addon/' },
  },
};
