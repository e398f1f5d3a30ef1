export declare const PKG_DIR: string;
/** Builds dist/custos-consent.js (or into `outDir`); resolves to its path. */
export declare function buildWidget(outDir?: string): Promise<string>;
/** Builds dist/portal/ (or `outDir`/portal); resolves to the folder. */
export declare function buildPortal(outDir?: string): Promise<string>;
