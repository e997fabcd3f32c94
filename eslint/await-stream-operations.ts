import { AST_NODE_TYPES, ESLintUtils, type TSESTree } from "@typescript-eslint/utils";
import ts from "typescript";
import { streamOperationOf } from "./safestub-types.js";

type MessageId = "floatingSend" | "floatingRecv" | "concurrentSend" | "concurrentRecv" | "callbackSend" | "callbackRecv";

/** typescript-eslint's docs fields: `requiresTypeChecking` tells tools the rule needs parserServices. */
interface RuleDocs {
  requiresTypeChecking?: boolean;
}

const createRule = ESLintUtils.RuleCreator<RuleDocs>((name) => `https://www.npmjs.com/package/safestub#eslint-rule-${name}`);

/** Array methods that call their callback once per element without awaiting what it returns. */
const PER_ITEM_METHODS = new Set([
  "forEach",
  "map",
  "flatMap",
  "filter",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "some",
  "every",
  "reduce",
  "reduceRight",
]);

/** Promise combinators: their elements all run at the same time. */
const COMBINATORS = new Set(["all", "allSettled", "race", "any"]);

/** A stream operation found in the code: `handle.method(...)`. */
interface Operation {
  readonly node: TSESTree.CallExpression;
  readonly direction: "send" | "recv";
  /** The source text of the handle expression, e.g. `call.sender`. */
  readonly handle: string;
  readonly method: string;
}

export const awaitStreamOperations = createRule<[], MessageId>({
  name: "await-stream-operations",
  meta: {
    type: "problem",
    docs: {
      description:
        "Require every safestub Sender.send/sendAll/close and Receiver.recv call to be awaited directly or returned, so at most one operation per direction is in flight on a stream.",
      requiresTypeChecking: true,
    },
    schema: [],
    messages: {
      floatingSend:
        "`{{call}}` must be awaited directly or returned: until it settles, another send, sendAll or close on `{{handle}}` is refused with ConcurrentSendError. Write `await {{call}}`{{hint}}.",
      floatingRecv:
        "`{{call}}` must be awaited directly or returned: until it settles, another recv() on `{{handle}}` is refused with ConcurrentRecvError. Write `await {{call}}` and await each recv() before the next.",
      concurrentSend:
        "`{{call}}` runs at the same time as another send on `{{handle}}`, which is refused with ConcurrentSendError. Send the messages with `await {{handle}}.sendAll([...])`, or await each send in turn.",
      concurrentRecv:
        "`{{call}}` runs at the same time as another recv() on `{{handle}}`, which is refused with ConcurrentRecvError. Await each recv() in turn, or read with `for await (const message of {{handle}})`.",
      callbackSend:
        "`{{call}}` runs in a callback whose result `{{caller}}` does not wait for, so the next send on `{{handle}}` overlaps it and is refused with ConcurrentSendError. Use `await {{handle}}.sendAll(items)`, or a for...of loop that awaits each send.",
      callbackRecv:
        "`{{call}}` runs in a callback whose result `{{caller}}` does not wait for, so the next recv() on `{{handle}}` overlaps it and is refused with ConcurrentRecvError. Use a for...of loop that awaits each recv(), or `for await (const message of {{handle}})`.",
    },
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const sourceCode = context.sourceCode;

    /** The stream operation `node` calls, if it is one. */
    function operationOf(node: TSESTree.CallExpression): Operation | undefined {
      const callee = node.callee;
      if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
      const direction = streamOperationOf(services.getSymbolAtLocation(callee.property));
      if (!direction) return undefined;
      return { node, direction, handle: sourceCode.getText(callee.object), method: callee.property.name };
    }

    /** The outermost expression that still is the operation's promise: through `?.`, `!`, `as`, `a ? b : c`, `a ?? b`. */
    function promiseExpression(node: TSESTree.Node): TSESTree.Node {
      let current = node;
      for (;;) {
        const parent = current.parent;
        if (!parent) return current;
        const transparent =
          parent.type === AST_NODE_TYPES.ChainExpression ||
          parent.type === AST_NODE_TYPES.TSNonNullExpression ||
          parent.type === AST_NODE_TYPES.TSAsExpression ||
          parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
          parent.type === AST_NODE_TYPES.TSTypeAssertion ||
          (parent.type === AST_NODE_TYPES.ConditionalExpression && parent.test !== current) ||
          parent.type === AST_NODE_TYPES.LogicalExpression;
        if (!transparent) return current;
        current = parent;
      }
    }

    function isAwaitedOrReturned(expression: TSESTree.Node): boolean {
      const parent = expression.parent;
      if (!parent) return false;
      if (parent.type === AST_NODE_TYPES.AwaitExpression) return true;
      if (parent.type === AST_NODE_TYPES.ReturnStatement) return true;
      return parent.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === expression;
    }

    type FunctionNode = TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression | TSESTree.FunctionDeclaration;

    function enclosingFunction(node: TSESTree.Node): FunctionNode | undefined {
      for (let current = node.parent; current; current = current.parent) {
        if (
          current.type === AST_NODE_TYPES.ArrowFunctionExpression ||
          current.type === AST_NODE_TYPES.FunctionExpression ||
          current.type === AST_NODE_TYPES.FunctionDeclaration
        ) {
          return current;
        }
      }
      return undefined;
    }

    /**
     * The caller's text when `fn` is a callback whose caller does not wait for
     * what it returns: an argument of an array iteration method (`forEach`,
     * `map`, ...) or of any call whose parameter type returns void
     * (`setTimeout`, event listeners, ...). Callbacks of `then`, or of helpers
     * typed to take a function returning a promise, are awaited by their caller.
     */
    function unawaitedCaller(fn: FunctionNode): string | undefined {
      const call = fn.parent;
      if (!call || (call.type !== AST_NODE_TYPES.CallExpression && call.type !== AST_NODE_TYPES.NewExpression)) return undefined;
      if (!call.arguments.includes(fn as TSESTree.CallExpressionArgument)) return undefined;
      const callee = call.callee;
      const calleeText = sourceCode.getText(callee);
      if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) {
        const name = callee.property.name;
        if (PER_ITEM_METHODS.has(name)) return calleeText;
        if (name === "from" && callee.object.type === AST_NODE_TYPES.Identifier && callee.object.name === "Array") return calleeText;
      }
      return returnsOnlyVoid(checker.getContextualType(services.esTreeNodeToTSNodeMap.get(fn) as ts.Expression)) ? calleeText : undefined;
    }

    function returnsOnlyVoid(type: ts.Type | undefined): boolean {
      const signatures = type ? checker.getNonNullableType(type).getCallSignatures() : [];
      if (signatures.length === 0) return false;
      return signatures.every((signature) => {
        const returned = signature.getReturnType();
        const parts = returned.isUnion() ? returned.types : [returned];
        return parts.every((part) => (part.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) !== 0);
      });
    }

    /** Other operations of the same direction on the same handle in the same Promise combinator array. */
    function hasSiblingInCombinator(operation: Operation, expression: TSESTree.Node): boolean {
      const array = expression.parent;
      if (array?.type !== AST_NODE_TYPES.ArrayExpression) return false;
      const call = array.parent;
      if (call?.type !== AST_NODE_TYPES.CallExpression || !call.arguments.includes(array)) return false;
      const callee = call.callee;
      const isCombinator =
        callee.type === AST_NODE_TYPES.MemberExpression &&
        callee.object.type === AST_NODE_TYPES.Identifier &&
        callee.object.name === "Promise" &&
        callee.property.type === AST_NODE_TYPES.Identifier &&
        COMBINATORS.has(callee.property.name);
      if (!isCombinator) return false;
      return array.elements.some((element) => {
        if (!element || element === expression || element.type === AST_NODE_TYPES.SpreadElement) return false;
        const inner = innermostCall(element);
        const other = inner ? operationOf(inner) : undefined;
        return other !== undefined && other.direction === operation.direction && other.handle === operation.handle;
      });
    }

    /** The call inside `?.`, `!` and `as` wrappers. */
    function innermostCall(node: TSESTree.Node): TSESTree.CallExpression | undefined {
      let current: TSESTree.Node = node;
      for (let depth = 0; depth < 16; depth++) {
        if (current.type === AST_NODE_TYPES.CallExpression) return current;
        if (current.type === AST_NODE_TYPES.ChainExpression || current.type === AST_NODE_TYPES.TSNonNullExpression || current.type === AST_NODE_TYPES.TSAsExpression) {
          current = current.expression;
        } else {
          return undefined;
        }
      }
      return undefined;
    }

    return {
      CallExpression(node) {
        const operation = operationOf(node);
        if (!operation) return;
        const hint = operation.method === "send" ? `; to send many messages, \`await ${operation.handle}.sendAll(messages)\`` : "";
        const data = { call: `${operation.handle}.${operation.method}()`, handle: operation.handle, hint };
        const expression = promiseExpression(node);
        const fn = enclosingFunction(node);
        const caller = fn ? unawaitedCaller(fn) : undefined;
        if (caller !== undefined) {
          context.report({ node, messageId: operation.direction === "send" ? "callbackSend" : "callbackRecv", data: { ...data, caller } });
        } else if (isAwaitedOrReturned(expression)) {
          return;
        } else if (hasSiblingInCombinator(operation, expression)) {
          context.report({ node, messageId: operation.direction === "send" ? "concurrentSend" : "concurrentRecv", data });
        } else {
          context.report({ node, messageId: operation.direction === "send" ? "floatingSend" : "floatingRecv", data });
        }
      },
    };
  },
});
