import type { AnyStateMachine } from 'xstate';
import type { LifecycleGraph, LifecycleTransition } from './graph.ts';

/**
 * The lifecycle in the formats other tools read, each built from the graph read off
 * the machine: Mermaid for docs and reviews, SCXML (W3C) for statechart tools, and the
 * machine's own config JSON, which Stately's editor and inspector import.
 */

/** How an edge is labelled everywhere: `EVENT [guard]`, the UML statechart convention. */
export function edgeLabel(edge: LifecycleTransition): string {
  return edge.guard ? `${edge.event} [${edge.guard}]` : edge.event;
}

/**
 * Mermaid `stateDiagram-v2`. Text is reduced to what its grammar reads safely: `;`, `#`
 * and `:` are syntax there, so descriptions use Mermaid's entity codes for them.
 */
export function toMermaid(graph: LifecycleGraph): string {
  const lines = ['stateDiagram-v2', `  %% ${graph.id}: generated from the XState machine`];
  lines.push(`  [*] --> ${graph.initial}`);
  for (const state of graph.states) {
    // A note, not `state : text`, which would replace the state's name in the drawing.
    if (state.description) {
      lines.push(`  note right of ${state.id} : ${mermaidText(state.description)}`);
    }
  }
  for (const edge of graph.transitions) {
    const reasons = edge.reasons.length ? ` (${edge.reasons.join(', ')})` : '';
    lines.push(`  ${edge.source} --> ${edge.target} : ${mermaidText(edgeLabel(edge) + reasons)}`);
  }
  for (const state of graph.states) {
    if (state.final) lines.push(`  ${state.id} --> [*]`);
  }
  return lines.join('\n') + '\n';
}

function mermaidText(text: string): string {
  return text.replace(/#/g, '#35;').replace(/;/g, '#59;').replace(/:/g, '#58;');
}

/**
 * SCXML 1.0 (W3C Recommendation, 2015). Guards become `cond` holding the guard's name:
 * SCXML's null data model cannot evaluate them, so a tool binds the names itself.
 * Descriptions travel as comments.
 */
export function toScxml(graph: LifecycleGraph): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" name="${xml(graph.id)}" initial="${xml(graph.initial)}">`,
  ];
  for (const state of graph.states) {
    const tag = state.final ? 'final' : 'state';
    const edges = graph.transitions.filter((edge) => edge.source === state.id);
    lines.push(`  <${tag} id="${xml(state.id)}">`);
    if (state.description) lines.push(`    <!-- ${xmlComment(state.description)} -->`);
    for (const edge of edges) {
      if (edge.description) lines.push(`    <!-- ${xmlComment(edge.description)} -->`);
      if (edge.reasons.length) {
        lines.push(`    <!-- records reason: ${xmlComment(edge.reasons.join(', '))} -->`);
      }
      const cond = edge.guard ? ` cond="${xml(edge.guard)}"` : '';
      lines.push(
        `    <transition event="${xml(edge.event)}"${cond} target="${xml(edge.target)}"/>`,
      );
    }
    lines.push(`  </${tag}>`);
  }
  lines.push('</scxml>');
  return lines.join('\n') + '\n';
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A comment may not contain `--` (XML 1.0 §2.5). */
function xmlComment(text: string): string {
  return text.replace(/-{2,}/g, '-').replace(/-$/, '- ');
}

/**
 * The machine's config as JSON, serialised the way `@statelyai/inspect` sends a
 * machine's `definition` to Stately's inspector (functions become `{ type: name }`);
 * Stately's editor imports the same object.
 */
export function toStatelyJson(machine: AnyStateMachine): string {
  return (
    JSON.stringify(
      machine.config,
      (_key, value: unknown) =>
        typeof value === 'function' ? { type: (value as { name: string }).name } : value,
      2,
    ) + '\n'
  );
}

/** The three exports with the file names the CLI writes and the page downloads. */
export function lifecycleExports(graph: LifecycleGraph, machine: AnyStateMachine) {
  return {
    mermaid: { filename: `${graph.id}-lifecycle.mmd`, type: 'text/plain', body: toMermaid(graph) },
    scxml: {
      filename: `${graph.id}-lifecycle.scxml`,
      type: 'application/scxml+xml',
      body: toScxml(graph),
    },
    stately: {
      filename: `${graph.id}-lifecycle.stately.json`,
      type: 'application/json',
      body: toStatelyJson(machine),
    },
  } as const;
}

export type LifecycleExportFormat = keyof ReturnType<typeof lifecycleExports>;
