/**
 * What `clinvk config` does with YAML (show, get, set, unset, validate): loaded only when one of
 * those commands runs, so that other commands do not prepare the YAML parser (see
 * `src/lazy_import.ts`).
 * @module
 */
export { getConfigValue, renderConfigValue } from "./get.ts";
export { renderConfigYaml } from "./render.ts";
export { setConfigValue, unsetConfigValue } from "./set.ts";
export { formatProblem, validateConfigFile } from "./validate.ts";
