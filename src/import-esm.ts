/**
 * import() of an ES module from outside the fast bundle (oclif's bundle, execa). The fast bundle
 * runs from V8's code cache, and a function deserialized from that cache cannot reach the callback
 * Node keeps for a vm.Script's import() ("A dynamic import callback was not specified"), so the
 * bundle's loader hands over an import() compiled the usual way (see lite/bundle-loader.ts).
 */
type Importer = (specifier: string) => Promise<unknown>;

let importer: Importer = (specifier) => import(specifier);

export function importEsm<T>(specifier: string): Promise<T> {
  return importer(specifier) as Promise<T>;
}

export function setEsmImporter(use: Importer): void {
  importer = use;
}
