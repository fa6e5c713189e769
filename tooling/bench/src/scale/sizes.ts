import postgres from 'postgres';

export interface TableSize {
  table: string;
  rows: number;
  /** Table, indexes and TOAST (pg_total_relation_size). */
  totalBytes: number;
  indexBytes: number;
}

/** Every table's size after VACUUM ANALYZE, biggest first, with its exact row count. */
export async function tableSizes(url: string): Promise<TableSize[]> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await client<{ table: string; total: string; indexes: string }[]>`
      SELECT c.relname AS table, pg_total_relation_size(c.oid) AS total,
        pg_indexes_size(c.oid) AS indexes
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = 'public'
      ORDER BY pg_total_relation_size(c.oid) DESC`;
    const sizes: TableSize[] = [];
    for (const row of tables) {
      const [counted] = await client.unsafe<{ n: string }[]>(
        `SELECT count(*)::bigint AS n FROM "${row.table}"`,
      );
      sizes.push({
        table: row.table,
        rows: Number(counted!.n),
        totalBytes: Number(row.total),
        indexBytes: Number(row.indexes),
      });
    }
    return sizes;
  } finally {
    await client.end();
  }
}

/** Bytes per row of a table, or null when it is empty. */
export function bytesPerRow(sizes: TableSize[], table: string): number | null {
  const row = sizes.find((size) => size.table === table);
  return row && row.rows > 0 ? Math.round(row.totalBytes / row.rows) : null;
}
