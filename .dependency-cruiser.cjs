// Import boundaries of Threadline, checked by `npm run deps:check` (part of `npm test`).
// The layer table below is the one in docs/architecture.md ("Layers and import rules"); keep the two in step.
// Each layer may import itself and the layers listed in `mayImport`; anything else is an error.
// test/ and bench/ may import anything (they are not listed), but cycles are refused everywhere.

const edgeImports = ['usecases', 'ports', 'services', 'store', 'jobs', 'domain', 'contract', 'kernel'];

/** One entry per layer: `path` is a regex on the repository-relative file name. */
const layers = {
  // The wire contract: zod schemas, event maps, error codes, REST table. Runs in browsers too.
  contract: { path: '^contract/', mayImport: [] },
  // Server-wide building blocks every server layer needs: the one error type, the parsed config,
  // the logger and the metrics registry. They import nothing of the server but each other.
  kernel: { path: '^server/(errors|config|logger|metrics)\\.ts$', mayImport: ['contract'] },
  // Pure functions. AppError is allowed: a rule that refuses input says so with the one error type.
  domain: { path: '^server/domain/', mayImport: ['contract', 'errors'] },
  errors: { path: '^server/errors\\.ts$', mayImport: ['contract'], alias: true },
  // Queue names, job shapes and producers (BullMQ). Workers consume them; the store's outbox keeps job data.
  jobs: { path: '^server/jobs/', mayImport: ['domain', 'contract', 'kernel'] },
  // Redis, the Lua scripts and the Socket.IO adapter message format the scripts publish.
  store: { path: '^server/store/', mayImport: ['jobs', 'domain', 'contract', 'kernel'] },
  // Collaborators use cases call through ports: tokens and identity, rate limits, moderation
  // (screening pipeline, decisions, the moderators' feed). Below the use cases, above the store.
  services: { path: '^server/(auth|limits|moderation)/', mayImport: ['store', 'jobs', 'domain', 'contract', 'kernel'] },
  // The ports: the interfaces of the collaborators (`Deps`, `CoreDeps`) that use cases and edges
  // name the members of (`Pick<Deps, ...>`). Types of everything below; no code of the edges.
  ports: { path: '^server/(context|ports)\\.ts$|^server/ports/', mayImport: ['services', 'store', 'jobs', 'domain', 'contract', 'kernel'] },
  // One use case a file, transport-agnostic.
  usecases: {
    path: '^server/usecases/',
    mayImport: ['ports', 'services', 'store', 'jobs', 'domain', 'contract', 'kernel'],
  },
  // Edges: parse input, call one use case, map the result. Three separate edges: an HTTP route
  // does not import a socket handler, and no server edge imports a queue processor (or back).
  http: { path: '^server/http/', mayImport: edgeImports },
  realtime: { path: '^server/realtime/', mayImport: edgeImports },
  workers: {
    path: '^workers/',
    pathNot: '^workers/index\\.ts$',
    mayImport: edgeImports,
  },
  // Process entry points and composition (config, Redis, wiring, CLIs): may import anything.
  bootstrap: {
    path: '^(main/|server/bootstrap/|server/cli/|server/(app|core)\\.ts$|workers/index\\.ts$)',
    mayImport: '*',
  },
  // Browser and app clients. The SDK knows only the contract; the UIs know the SDK, the contract
  // and two small shared browser helpers.
  sdk: { path: '^client/sdk/', mayImport: ['contract'] },
  browserHelpers: { path: '^client/dom\\.ts$', mayImport: ['contract'] },
  ui: { path: '^client/(widget|console|admin)/', mayImport: ['sdk', 'contract', 'browserHelpers'] },
};

const projectCode = '^(contract|server|workers|client|main)/';

const layerRules = Object.entries(layers)
  .filter(([, layer]) => layer.mayImport !== '*' && !layer.alias)
  .map(([name, layer]) => ({
    name: `layer-${name}`,
    severity: 'error',
    comment: `${name} (${layer.path}) may import only: ${[name, ...layer.mayImport].join(', ')} (docs/architecture.md, Layers and import rules)`,
    from: { path: layer.path, ...(layer.pathNot ? { pathNot: layer.pathNot } : {}) },
    to: {
      path: projectCode,
      pathNot: [layer.path, ...layer.mayImport.map((other) => layers[other].path)],
    },
  }));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere (type-only imports count: they couple the modules just the same).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'server-not-to-workers',
      severity: 'error',
      comment: 'server/ never imports workers/: queue processors sit on top of the server layers, not beside them.',
      from: { path: '^server/' },
      to: { path: '^workers/' },
    },
    {
      name: 'server-not-to-clients',
      severity: 'error',
      comment: 'Server and workers share code with browsers only through contract/.',
      from: { path: '^(server|workers|main)/' },
      to: { path: '^client/' },
    },
    {
      name: 'contract-only-zod',
      severity: 'error',
      comment: 'contract/ depends on zod and nothing else (it is bundled into browsers and imported by every layer).',
      from: { path: '^contract/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'core'], pathNot: '(^|/)node_modules/zod/' },
    },
    {
      name: 'domain-pure',
      severity: 'error',
      comment: 'server/domain is pure: no packages, no Node APIs except node:crypto (ids, hashes).',
      from: { path: '^server/domain/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'core'], pathNot: '^(node:)?crypto$' },
    },
    {
      name: 'browser-no-node',
      severity: 'error',
      comment: 'Browser code (SDK, widget, console, admin page) cannot use Node built-ins; the SDK example is a Node script.',
      from: { path: '^(client|contract)/', pathNot: '^client/sdk/example\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'ui-no-packages',
      severity: 'error',
      comment: 'Console and admin page reach the server only through the SDK (which brings socket.io-client).',
      from: { path: '^client/(console|admin)/|^client/dom\\.ts$' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'] },
    },
    {
      name: 'widget-no-packages',
      severity: 'error',
      comment:
        'The widget reaches the server only through the SDK; its one package is linkifyjs, which finds links in ' +
        'comment bodies (a kept URL tokenizer rather than a hand-written regex; no dependencies of its own).',
      from: { path: '^client/widget/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'],
        pathNot: '(^|/)node_modules/linkifyjs/',
      },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Shipped code may not need a devDependency at run time: the image installs with --omit=dev. ' +
        'Type-only imports (erased at run time) are fine.',
      from: { path: '^(contract|server|workers|main)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'A package that is not in package.json works only by accident (hoisted by another package).',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve to a file.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // `depcruise .` finds new top-level folders by itself; these hold no source of ours.
    exclude: { path: '^(coverage|data|bench/results|test-results|client/sdk/dist)/' },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a use case that imports a type from workers/ is coupled to it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
