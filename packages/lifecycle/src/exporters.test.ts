// @vitest-environment jsdom
// Mermaid's own parser, as the Mermaid renderer runs it. @mermaid-js/parser cannot check
// this: its Langium grammars cover info, packet, pie, gitGraph, architecture, radar,
// treemap and a few more, not stateDiagram (still a jison grammar inside mermaid).
// mermaid 11.17 because 12.x needs Node 22.12; its parser sanitises labels with DOMPurify,
// which needs a DOM: jsdom (a version that runs on Node 20) provides one.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import mermaid from 'mermaid';
import { describe, expect, it } from 'vitest';
import { edgeLabel, lifecycleExports, toMermaid, toScxml, toStatelyJson } from './exporters.ts';
import { credentialLifecycleGraph, type LifecycleGraph } from './graph.ts';
import { credentialMachine } from './machine.ts';

const graph = credentialLifecycleGraph();

describe('Mermaid stateDiagram-v2 export', () => {
  it('parses with Mermaid’s own parser into every state and transition of the machine', async () => {
    const text = toMermaid(graph);
    await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: 'stateDiagram' });

    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db as unknown as {
      getStates(): Map<string, unknown>;
      getRelations(): { id1: string; id2: string; relationTitle: string }[];
    };
    for (const state of graph.states) expect(db.getStates().has(state.id)).toBe(true);
    const relations = db.getRelations();
    for (const edge of graph.transitions) {
      expect(relations).toContainEqual(
        expect.objectContaining({
          id1: edge.source,
          id2: edge.target,
          relationTitle: expect.stringContaining(edgeLabel(edge)),
        }),
      );
    }
    // [*] in and out: the initial and the final state.
    expect(relations).toContainEqual(expect.objectContaining({ id1: 'root_start', id2: 'new' }));
    expect(relations).toContainEqual(expect.objectContaining({ id1: 'revoked', id2: 'root_end' }));
  });

  it('keeps Mermaid syntax characters in descriptions from breaking the diagram', async () => {
    const tricky: LifecycleGraph = {
      ...graph,
      states: graph.states.map((state) => ({ ...state, description: 'a; b: c # d --> e' })),
    };
    await expect(mermaid.parse(toMermaid(tricky))).resolves.toBeTruthy();
  });

  it('is refused by the parser when broken, so the test above means something', async () => {
    await expect(mermaid.parse(toMermaid(graph).replace('-->', '--> -->'))).rejects.toThrow(
      /Parse error/,
    );
  });
});

describe('SCXML export', () => {
  const text = toScxml(graph);

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(text)).toBe(true);
  });

  it('holds every state (the final one as <final>) and every transition with its guard', () => {
    const document = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => ['state', 'final', 'transition'].includes(name),
    }).parse(text) as {
      scxml: {
        initial: string;
        xmlns: string;
        state: { id: string; transition?: Record<string, string>[] }[];
        final: { id: string }[];
      };
    };
    const { scxml } = document;
    expect(scxml.xmlns).toBe('http://www.w3.org/2005/07/scxml');
    expect(scxml.initial).toBe(graph.initial);
    expect(scxml.final.map((state) => state.id)).toEqual(
      graph.states.filter((state) => state.final).map((state) => state.id),
    );
    expect(scxml.state.map((state) => state.id)).toEqual(
      graph.states.filter((state) => !state.final).map((state) => state.id),
    );
    const transitions = scxml.state.flatMap((state) =>
      (state.transition ?? []).map((t) => ({ source: state.id, ...t })),
    );
    expect(transitions).toEqual(
      graph.transitions.map((edge) => ({
        source: edge.source,
        event: edge.event,
        ...(edge.guard ? { cond: edge.guard } : {}),
        target: edge.target,
      })),
    );
  });

  it('escapes what XML reserves, and never writes -- inside a comment', () => {
    const tricky: LifecycleGraph = {
      ...graph,
      id: 'a<b>&"c\'',
      states: graph.states.map((state) => ({ ...state, description: 'x -- y <z> & -' })),
    };
    expect(XMLValidator.validate(toScxml(tricky))).toBe(true);
  });
});

describe('Stately JSON export', () => {
  it('is the machine config the inspector receives, guards and actions by name', () => {
    const json = JSON.parse(toStatelyJson(credentialMachine)) as {
      id: string;
      initial: string;
      states: Record<string, { on?: Record<string, unknown>; type?: string }>;
    };
    expect(json.id).toBe(credentialMachine.id);
    expect(json.initial).toBe(graph.initial);
    expect(Object.keys(json.states)).toEqual(graph.states.map((state) => state.id));
    expect(json.states.revoked!.type).toBe('final');
    expect(json.states.pending!.on!.REVOKE).toMatchObject({ guard: 'reasonIsKnown' });
  });

  it('comes with file names and media types for downloads', () => {
    const files = lifecycleExports(graph, credentialMachine);
    expect(Object.values(files).map((file) => file.filename)).toEqual([
      'credential-lifecycle.mmd',
      'credential-lifecycle.scxml',
      'credential-lifecycle.stately.json',
    ]);
  });
});
