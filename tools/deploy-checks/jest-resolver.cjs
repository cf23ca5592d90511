// kubernetes-models publishes ES modules whose package exports offer only an `import` entry, which jest's
// CommonJS resolution does not match. Resolve those packages (and only those) with the import condition;
// the transform in jest.config.cjs then turns them into CommonJS.
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/[^/]+)(\/|$)/;

module.exports = (request, options) =>
  ESM_ONLY.test(request) ? options.defaultResolver(request, { ...options, conditions: ['import', 'default'] }) : options.defaultResolver(request, options);
