/**
 * A TypeDoc plugin for `npm run docs`: what TypeDoc's own validation cannot check, and one
 * rendering fix.
 *
 * - Every export of an entry point must have a `@category` (the reference's sections: LeNet-5,
 *   ResNet, Analysis, Weights...), and every function of the root entry (`cnn-zoo`: the builders and
 *   the top-level functions) an `@example`, which the test suite compiles (test/examples.test.ts). A missing one is a validation warning, which
 *   `treatWarningsAsErrors` in typedoc.json turns into a failed build.
 * - A member of an object literal (a zod schema's shape, a table of architectures, and the
 *   options types that `@useDeclaredType` expands from a schema) is shown without TypeDoc's
 *   "= initializer": for `name: layerName` TypeDoc would print `name = layerName`, which reads as
 *   a default value and is not one. Defaults are stated in the members' comments instead.
 * - A zod schema's type is shown without its type arguments (`LeNetOptionsSchema: ZodPipe`): in
 *   full it is a page of nested `ZodDefault<ZodEnum<{ ... }>>` generics, whose synthetic members
 *   (a `z.enum`'s keys) cannot carry a comment. The fields, with their comments, are documented
 *   once, readably, by the types the schemas infer (`LeNetOptions`, `LeNetArchitecture`...), which
 *   use `@useDeclaredType`.
 * - A parameter declared with such a type (`lenet5(options: LeNetOptions = {})`) is shown as a
 *   link to it, as written: TypeDoc would print the type the alias resolves to, a page of inline
 *   object type in every builder's signature.
 */
import { Application, Converter, makeRecursiveVisitor, ReflectionKind } from 'typedoc';
import ts from 'typescript';

/** The comment of a reflection: its own, or for a function its first signature's. */
function commentOf(reflection) {
  return reflection.comment ?? reflection.signatures?.[0]?.comment;
}

/** Drops the type arguments of every reference to a zod type inside `type`, and the reflections they held. */
function stripZodTypeArguments(type, project) {
  const dropDeclarations = makeRecursiveVisitor({ reflection: (t) => project.removeReflection(t.declaration) });
  type?.visit(
    makeRecursiveVisitor({
      reference(ref) {
        if (ref.package !== 'zod' || !ref.typeArguments) return;
        for (const argument of ref.typeArguments) argument.visit(dropDeclarations);
        ref.typeArguments = undefined;
      },
    }),
  );
}

/** A function, or a variable holding one (the builders: `export const resnet18 = ...build`). */
function isFunction(reflection) {
  return reflection.kindOf(ReflectionKind.Function) || (reflection.kindOf(ReflectionKind.Variable) && reflection.type?.type === 'reflection' && (reflection.type.declaration.signatures?.length ?? 0) > 0);
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const { project } = context;
    for (const reflection of Object.values(project.reflections)) {
      if (!project.getReflectionById(reflection.id)) continue; // removed with an earlier one
      stripZodTypeArguments(reflection.type, project);
      for (const signature of reflection.signatures ?? []) stripZodTypeArguments(signature.type, project);
      for (const parameter of reflection.parameters ?? []) stripZodTypeArguments(parameter.type, project);
    }

    for (const reflection of project.getReflectionsByKind(ReflectionKind.Property)) {
      if (!reflection.parent?.kindOf(ReflectionKind.ClassOrInterface)) reflection.defaultValue = undefined;
    }
  });

  app.converter.on(Converter.EVENT_CREATE_SIGNATURE, (context, signature, declaration) => {
    declaration?.parameters?.forEach((node, i) => {
      const parameter = signature.parameters?.[i];
      if (parameter?.type?.type !== 'reflection' || !node.type || !ts.isTypeReferenceNode(node.type) || node.type.typeArguments) return;
      const symbol = context.checker.getSymbolAtLocation(node.type.typeName);
      if (!symbol) return;
      context.project.removeReflection(parameter.type.declaration);
      parameter.type = context.createSymbolReference(context.resolveAliasedSymbol(symbol), context, node.type.typeName.getText());
    });
  });

  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    // One module per entry point (`index` is cnn-zoo, `net` is cnn-zoo/net).
    for (const reflection of (project.children ?? []).flatMap((module) => module.children ?? [])) {
      const root = reflection.parent?.name === 'index';
      const comment = commentOf(reflection);
      if (!comment) continue; // TypeDoc's notDocumented check reports it already
      const has = (tag) => comment.blockTags.some((block) => block.tag === tag);
      const name = reflection.getFriendlyFullName();
      if (root && isFunction(reflection) && !has('@example')) app.logger.validationWarning(`${name} has no @example`);
      if (!has('@category')) app.logger.validationWarning(`${name} has no @category`);
    }
  });
}
