import dagre from '@dagrejs/dagre';
import { edgeLabel, type LifecycleGraph } from '@sidekey/lifecycle';

/**
 * Lays the lifecycle out for drawing, on the server (the page ships plain SVG markup,
 * readable without JavaScript). dagre, not elkjs: the layered (Sugiyama) layout Mermaid
 * itself uses for state diagrams, synchronous and small (no worker, no 1.5 MB GWT bundle),
 * and it places self-loops (active → active) and edge labels as boxes of their own, so
 * no label sits on a line or another label.
 */

export interface DiagramNode {
  id: string;
  kind: 'state' | 'start';
  x: number;
  y: number;
  width: number;
  height: number;
  initial: boolean;
  final: boolean;
  description: string | null;
  /** A second line inside the node (review mode: how many credentials are in it). */
  note: string | null;
}

export interface DiagramEdge {
  id: string;
  source: string;
  target: string;
  event: string;
  guard: string | null;
  reasons: string[];
  /** SVG path through dagre's points. */
  path: string;
  label: { x: number; y: number; width: number; height: number; lines: string[] } | null;
}

export interface DiagramLayout {
  width: number;
  height: number;
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

export const START_NODE = '__start';
const FONT_SIZE = 13;
/** An average glyph of the system sans-serif at 13 px; labels get a little slack on top. */
const CHAR_WIDTH = 7.4;
const LINE_HEIGHT = 17;
const LABEL_CHARS = 22;

/**
 * Extra lines under an edge's label (counts in review mode): known before layout so dagre
 * reserves room for them.
 */
export type ExtraLabelLines = Record<string, string[]>;

export function layoutLifecycle(
  graph: LifecycleGraph,
  extra: ExtraLabelLines = {},
  options: {
    reasons?: boolean;
    notes?: Record<string, string>;
    /** For phones: the guard on a line of its own, no reasons (the table lists them). */
    compact?: boolean;
  } = {},
): DiagramLayout {
  const compact = options.compact ?? false;
  const notes = options.notes ?? {};
  const showReasons = options.reasons ?? true;
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({
    rankdir: 'TB',
    nodesep: compact ? 16 : 28,
    edgesep: compact ? 8 : 14,
    ranksep: compact ? 36 : 46,
    marginx: 8,
    marginy: 8,
  });
  g.setDefaultEdgeLabel(() => ({}));

  g.setNode(START_NODE, { width: 18, height: 18 });
  for (const state of graph.states) {
    const note = notes[state.id] ?? '';
    const width = Math.max(96, state.id.length * 10 + 40, note.length * CHAR_WIDTH + 30);
    g.setNode(state.id, { width, height: note ? 56 : 40 });
  }
  g.setEdge(START_NODE, graph.initial, { width: 0, height: 0 }, START_NODE);

  const labels = new Map<string, string[]>();
  for (const edge of graph.transitions) {
    const head = compact
      ? [edge.event, ...(edge.guard ? [`[${edge.guard}]`] : [])]
      : [edgeLabel(edge), ...(showReasons ? wrap(edge.reasons.join(', '), LABEL_CHARS) : [])];
    const lines = [...head, ...(extra[edge.id] ?? [])];
    labels.set(edge.id, lines);
    g.setEdge(
      edge.source,
      edge.target,
      {
        width: Math.max(...lines.map((line) => line.length)) * CHAR_WIDTH + 10,
        height: lines.length * LINE_HEIGHT + 6,
        labelpos: 'c',
      },
      edge.id,
    );
  }

  dagre.layout(g);
  const size = g.graph();
  const byId = new Map(graph.states.map((state) => [state.id, state]));
  const selfLoops = graph.transitions.filter((e) => e.source === e.target);
  const loopIndex = (id: string, node: string) =>
    selfLoops.filter((e) => e.source === node).findIndex((e) => e.id === id);

  const nodes: DiagramNode[] = g.nodes().map((id) => {
    const node = g.node(id);
    const state = byId.get(id);
    return {
      id,
      kind: state ? 'state' : 'start',
      x: node.x,
      y: node.y,
      width: node.width,
      height: node.height,
      initial: state?.initial ?? false,
      final: state?.final ?? false,
      description: state?.description ?? null,
      note: notes[id] ?? null,
    };
  });

  const edges: DiagramEdge[] = [
    {
      id: START_NODE,
      source: START_NODE,
      target: graph.initial,
      event: '',
      guard: null,
      reasons: [],
    },
    ...graph.transitions,
  ].map((edge) => {
    const describe = (e: typeof edge) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      event: e.event,
      guard: e.guard,
      reasons: e.reasons,
    });
    const laid = g.edge(edge.source, edge.target, edge.id) as {
      points: { x: number; y: number }[];
      x?: number;
      y?: number;
      width: number;
      height: number;
    };
    const lines = labels.get(edge.id);
    const loop = edge.source === edge.target ? loopIndex(edge.id, edge.source) : -1;
    if (loop >= 0 && lines) {
      const node = g.node(edge.source);
      const drawn = selfLoop(node, { width: laid.width, height: laid.height }, loop);
      return { ...describe(edge), path: drawn.path, label: { ...drawn.label, lines } };
    }
    return {
      ...describe(edge),
      path: smoothPath(laid.points),
      label:
        lines && laid.x !== undefined && laid.y !== undefined
          ? { x: laid.x, y: laid.y, width: laid.width, height: laid.height, lines }
          : null,
    };
  });

  // dagre reserves room for self-loop labels side by side; the ears stack them, so the
  // drawing ends at its rightmost box (a phone's screen is narrow enough as it is).
  const right = Math.max(
    ...nodes.map((node) => node.x + node.width / 2),
    ...edges.flatMap((edge) => (edge.label ? [edge.label.x + edge.label.width / 2] : [])),
  );
  return { width: Math.min(size.width ?? 0, right + 8), height: size.height ?? 0, nodes, edges };
}

/**
 * A self-loop as an ear on the node's right, its label at the ear's tip. dagre nests
 * parallel loops (an outer loop runs through the inner one's label), so loops are drawn
 * here instead: the first above the middle, the second below, further ones further out —
 * within the room dagre reserved to the right of the node.
 */
function selfLoop(
  node: { x: number; y: number; width: number; height: number },
  label: { width: number; height: number },
  index: number,
) {
  const f = (n: number) => Math.round(n * 10) / 10;
  const direction = index % 2 === 0 ? -1 : 1;
  const level = Math.floor(index / 2);
  const side = node.x + node.width / 2;
  const edge = node.y + (direction * node.height) / 2; // top or bottom of the node
  const tip = {
    x: side + 32 + level * 12,
    y: node.y + direction * (label.height / 2 + 3 + level * (label.height + 6)),
  };
  const out = { x: side - 16, y: edge };
  const back = { x: side, y: node.y + direction * 6 };
  const path =
    `M${f(out.x)},${f(out.y)} C${f(out.x)},${f(edge + direction * 16)} ${f(tip.x - 16)},${f(tip.y)} ${f(tip.x + 4)},${f(tip.y)}` +
    ` C${f(tip.x - 16)},${f(tip.y)} ${f(side + 14)},${f(back.y)} ${f(back.x)},${f(back.y)}`;
  return {
    path,
    label: { x: tip.x + label.width / 2, y: tip.y, width: label.width, height: label.height },
  };
}

/** A curve through dagre's points: quadratic segments between midpoints, as Mermaid draws them. */
function smoothPath(points: { x: number; y: number }[]): string {
  const f = (n: number) => Math.round(n * 10) / 10;
  if (points.length < 3) return `M${points.map((p) => `${f(p.x)},${f(p.y)}`).join(' L')}`;
  let d = `M${f(points[0]!.x)},${f(points[0]!.y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!;
    const next = points[i + 1]!;
    const mid = i === points.length - 2 ? next : { x: (p.x + next.x) / 2, y: (p.y + next.y) / 2 };
    d += ` Q${f(p.x)},${f(p.y)} ${f(mid.x)},${f(mid.y)}`;
  }
  return d;
}

function wrap(text: string, width: number): string[] {
  if (!text) return [];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export { FONT_SIZE, LINE_HEIGHT };
