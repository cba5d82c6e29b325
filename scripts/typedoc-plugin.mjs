/**
 * A TypeDoc plugin for `npm run docs`: what TypeDoc's own validation cannot check.
 *
 * Every export of the public API (src/index.ts) must have an `@example` and a `@category` (the
 * reference's sections: Models, Blocks, Layers, Analysis...). A missing one is a validation
 * warning, which `treatWarningsAsErrors` in typedoc.json turns into a failed build.
 */
import { Application } from 'typedoc';

/** The comment of a reflection: its own, or for a function its first signature's. */
function commentOf(reflection) {
  return reflection.comment ?? reflection.signatures?.[0]?.comment;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    for (const reflection of project.children ?? []) {
      const comment = commentOf(reflection);
      if (!comment) continue; // TypeDoc's notDocumented check reports it already
      const has = (tag) => comment.blockTags.some((block) => block.tag === tag);
      const name = reflection.getFriendlyFullName();
      if (!has('@example')) app.logger.validationWarning(`${name} has no @example`);
      if (!has('@category')) app.logger.validationWarning(`${name} has no @category`);
    }
  });
}
