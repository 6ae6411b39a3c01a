/**
 * Jianyan's layers, checked by `npm run lint:deps` (dependency-cruiser) in CI. Each layer imports only from
 * layers below it (or from inside its own layer, without cycles). Top to bottom:
 */
const layers = [
  { name: 'wiring and entry points', path: '^src/(main|chat)\\.ts$' },
  { name: 'inbound channels and the office API', path: '^src/(channels|admin)/' },
  { name: 'conversation and flows', path: '^(src/conversation/|flows/(?!texts/))' },
  { name: 'notifications (outbox dispatcher and senders)', path: '^src/notifications/' },
  { name: 'handling and agents', path: '^src/(handling|agents)/' },
  { name: 'WeCom API client (outbound)', path: '^src/wecom-api/' },
  { name: 'texts (user-facing Chinese)', path: '^flows/texts/' },
  { name: 'the record', path: '^src/suggestions/' },
  { name: 'judgement (pure text work)', path: '^src/judgement/' },
  { name: 'domain vocabulary', path: '^src/domain/' },
  { name: 'infra', path: '^src/infra/' },
  { name: 'embedded engine (a library)', path: '^src/embedded-mongo/' },
];

const upward = layers.slice(1).map((layer, i) => ({
  name: `no-upward-from-${layer.name.replace(/\W+/g, '-')}`,
  comment: `${layer.name} may import only the layers below it`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: layers.slice(0, i + 1).map((l) => `(${l.path})`).join('|') },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'No module may import itself through others',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'embedded-engine-is-a-library',
      comment: 'src/embedded-mongo imports nothing of Jianyan',
      severity: 'error',
      from: { path: '^src/embedded-mongo/' },
      to: { path: '^(src|flows)/', pathNot: '^src/embedded-mongo/' },
    },
    {
      name: 'not-to-tests',
      comment: 'Production code never imports tests, fakes or benches',
      severity: 'error',
      from: { path: '^(src|flows)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
