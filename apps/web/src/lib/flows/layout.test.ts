import { credentialLifecycleGraph } from '@sidekey/lifecycle';
import { describe, expect, it } from 'vitest';
import { layoutLifecycle, START_NODE } from './layout';

const graph = credentialLifecycleGraph();

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) =>
  Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;

describe('the lifecycle layout (dagre)', () => {
  const layout = layoutLifecycle(graph);

  it('places every state of the machine, and a start marker pointing at the initial state', () => {
    expect(layout.nodes.map((node) => node.id).sort()).toEqual(
      [START_NODE, ...graph.states.map((state) => state.id)].sort(),
    );
    expect(layout.edges.find((edge) => edge.id === START_NODE)).toMatchObject({
      target: graph.initial,
    });
    expect(layout.nodes.find((node) => node.final)?.id).toBe('revoked');
  });

  it('draws every transition with its event and guard as the first label line', () => {
    for (const transition of graph.transitions) {
      const edge = layout.edges.find((candidate) => candidate.id === transition.id);
      expect(edge, transition.id).toBeDefined();
      expect(edge!.path).toMatch(/^M[\d.]+,[\d.]+/);
      expect(edge!.label!.lines[0]).toBe(
        transition.guard ? `${transition.event} [${transition.guard}]` : transition.event,
      );
    }
  });

  it('keeps labels off each other and off the states, so every word is readable', () => {
    const labels = layout.edges.flatMap((edge) => (edge.label ? [edge.label] : []));
    const states = layout.nodes.filter((node) => node.kind === 'state');
    for (const [i, a] of labels.entries()) {
      for (const b of labels.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
      for (const node of states)
        expect(overlaps(a, node), `${a.lines[0]} on ${node.id}`).toBe(false);
    }
  });

  it('fits every state and label inside the drawing, wide and compact', () => {
    for (const drawn of [layout, layoutLifecycle(graph, {}, { compact: true })]) {
      const boxes = [
        ...drawn.nodes,
        ...drawn.edges.flatMap((edge) => (edge.label ? [edge.label] : [])),
      ];
      for (const box of boxes) {
        expect(box.x - box.width / 2).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width / 2).toBeLessThanOrEqual(drawn.width);
        expect(box.y - box.height / 2).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height / 2).toBeLessThanOrEqual(drawn.height);
      }
    }
  });

  it('makes room for extra label lines and node notes (review mode)', () => {
    const withCounts = layoutLifecycle(
      graph,
      { 'pending:USE:0': ['× 12'] },
      {
        reasons: false,
        notes: { active: '12 credentials' },
      },
    );
    const use = withCounts.edges.find((edge) => edge.id === 'pending:USE:0')!;
    // The first use is guarded (it must come before the expiry), and the drawing says so.
    expect(use.label!.lines).toEqual(['USE [notExpired]', '× 12']);
    const revoke = withCounts.edges.find((edge) => edge.id === 'active:REVOKE:0')!;
    expect(revoke.label!.lines).toEqual(['REVOKE [reasonIsKnown]']);
    expect(withCounts.nodes.find((node) => node.id === 'active')).toMatchObject({
      note: '12 credentials',
      height: 56,
    });
  });
});
