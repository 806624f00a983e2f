/**
 * clinvk's entry point.
 * @module
 */
if (import.meta.main) {
  console.log("clinvk: under construction");
}
