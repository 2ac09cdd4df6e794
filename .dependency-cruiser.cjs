/**
 * Folder-level dependency rules (issue 11 §2), run by `npm test` (pretest) beside the cycle check
 * (`npm run circular`, dpdm: module cycles at run time; these rules make folder cycles impossible).
 * Warden's folders form layers, innermost first; a module may import its own folder and any folder
 * of a LOWER layer, never one of its own layer or a higher one. Only the composition edge (the last
 * layer) may import within its layer. README "Layout" explains the order.
 */
const layers = [
  ['errors.ts', 'build-info.ts', 'backoff.ts'], // neutral kernel: typed errors, version, spec §3.1 retry timing
  ['signals', 'runtime'], // the series store and matchers (pure); Redis plumbing
  ['config'], // plain schemas and loading: imports no stage
  ['cluster'], // issue 12: the leader lease, fencing token, members and agreed episode starts
  ['rules'], // PromQL, rule files (alerting + remediation rules), the rule engine, `rules test`
  ['health', 'audit', 'notify', 'telemetry'],
  ['warden-events.ts'], // the in-process bus
  ['evaluate'], // drives rules -> health on every batch and tick
  ['ingest', 'incidents', 'remediate', 'maintenance'], // the stages around evaluation; maintenance windows mute and hold them
  ['remediate/executors', 'integrations'], // side effects; two-way webhooks into incidents
  ['http', 'sim'],
  ['cli', 'compose', 'drill', 'main.ts'], // the edge: commands and the composition root
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The regex of a unit's modules; `remediate` excludes its `executors/`, which is a unit of its own. */
function unitPath(unit) {
  if (unit.endsWith('.ts')) return `^src/${escape(unit)}$`;
  const nested = layers.flat().filter((u) => u !== unit && u.startsWith(`${unit}/`));
  const not = nested.map((n) => `(?!${escape(n.slice(unit.length + 1))}/)`).join('');
  return `^src/${escape(unit)}/${not}`;
}

const forbidden = [];
layers.forEach((layer, level) => {
  const edge = level === layers.length - 1;
  for (const unit of layer) {
    const higher = layers.slice(level + 1).flat();
    const sameLevel = edge ? [] : layer.filter((u) => u !== unit);
    const banned = [...sameLevel, ...higher];
    if (banned.length === 0) continue;
    forbidden.push({
      name: `layer:${unit}`,
      comment: `src/${unit} (layer ${level}) may import only its own folder and lower layers: ${layers.slice(0, level).flat().join(', ') || 'nothing'}`,
      severity: 'error',
      from: { path: unitPath(unit) },
      to: { path: banned.map(unitPath) },
    });
  }
});

forbidden.push(
  {
    name: 'edge:composition-root',
    comment: 'compose/ is assembled by main.ts; it imports neither main.ts nor the CLI nor drill',
    severity: 'error',
    from: { path: '^src/compose/' },
    to: { path: ['^src/main\\.ts$', '^src/cli/', '^src/drill/'] },
  },
  {
    name: 'edge:main-not-cli',
    comment: 'main.ts is started by the CLI, never the other way round',
    severity: 'error',
    from: { path: '^src/main\\.ts$' },
    to: { path: ['^src/cli/', '^src/drill/'] },
  },
  {
    name: 'src-not-tests',
    comment: 'shipped code imports nothing of test/ or bench/',
    severity: 'error',
    from: { path: '^src/' },
    to: { path: ['^test/', '^bench/'] },
  },
  {
    name: 'unit-unknown',
    comment: 'every file under src/ belongs to a layer above: add a new folder to the table',
    severity: 'error',
    from: { path: '^src/', pathNot: layers.flat().map(unitPath) },
    to: {},
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|dist-bench|node_modules)/' },
  },
};
