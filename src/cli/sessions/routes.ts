/**
 * The `clinvk sessions …` command group.
 * @module
 */
import { buildRouteMap } from "@stricli/core";
import { cleanCommand } from "./clean.ts";
import { deleteCommand } from "./delete.ts";
import { doctorCommand } from "./doctor.ts";
import { forkCommand } from "./fork.ts";
import { listCommand } from "./list.ts";
import { searchCommand } from "./search.ts";
import { showCommand } from "./show.ts";
import { tagCommand } from "./tag.ts";

/** `clinvk sessions`. */
export const sessionsRoutes = buildRouteMap({
  routes: {
    list: listCommand,
    show: showCommand,
    search: searchCommand,
    fork: forkCommand,
    tag: tagCommand,
    delete: deleteCommand,
    clean: cleanCommand,
    doctor: doctorCommand,
  },
  aliases: { ls: "list", rm: "delete" },
  docs: { brief: "List, show, search, fork, tag, delete and clean sessions" },
});
