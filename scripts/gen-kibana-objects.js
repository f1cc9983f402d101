#!/usr/bin/env node
/**
 * Generates docs/kibana/flowtap-saved-objects.ndjson: Kibana saved objects
 * for the flow records flowtap writes to Elasticsearch (daily indices
 * flowtap-YYYY.MM.DD, fields as in docs/schema.md and the index template of
 * src/export/elastic/mappings.ts):
 *
 * - a data view "flowtap-*" (time field @timestamp) with two runtime fields,
 *   `bytes` and `packets` (both directions added), and byte formats;
 * - a saved search "flowtap: flows" (the flow table);
 * - four Lens charts: flows and bytes by application over time, distinct
 *   destination ports per source over time (the scan view), top talkers;
 * - a dashboard "flowtap: traffic overview" holding all five.
 *
 * The charts are described by the DATA below (CHARTS, FLOW_TABLE, LAYOUT);
 * the functions only turn them into saved-object documents. The documents
 * follow the shapes Kibana's own sample data uses at the migration versions
 * they declare (Lens 7.14.0 state, dashboard 7.14.0 panels, search 7.9.3,
 * data view 8.0.0, core 8.0.0); on import Kibana migrates them to its own
 * version, so one file serves every 8.x release (see docs/kibana/README.md).
 *
 * Output is deterministic (fixed ids, no timestamps). With --check the script
 * only reports whether the committed file is current (exit 1 when not), which
 * the tests use.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const OUT = path.join(__dirname, '..', 'docs', 'kibana', 'flowtap-saved-objects.ndjson');

const CORE_MIGRATION_VERSION = '8.0.0';
const TYPE_VERSIONS = { 'index-pattern': '8.0.0', search: '7.9.3', lens: '7.14.0', dashboard: '7.14.0' };
/** The embeddable input version of dashboard panels, as Kibana's 8.0 sample dashboards carry it. */
const PANEL_VERSION = '8.0.0';

const DATA_VIEW = {
  id: 'flowtap-flows-data-view',
  title: 'flowtap-*',
  timeField: '@timestamp',
  runtimeFields: {
    bytes: { type: 'long', sum: ['out_bytes', 'in_bytes'] },
    packets: { type: 'long', sum: ['out_pkts', 'in_pkts'] },
  },
  byteFields: ['bytes', 'out_bytes', 'in_bytes'],
};

const FLOW_TABLE = {
  id: 'flowtap-flows-search',
  title: 'flowtap: flows',
  description: 'One row per flow record, newest first.',
  columns: ['src_addr', 'src_port', 'dst_addr', 'dst_port', 'protocol', 'protocol_name', 'server_name', 'out_bytes', 'in_bytes', 'duration_ms', 'flow_end_reason', 'risks'],
};

/**
 * Lens XY charts. x: 'time' (date histogram on the time field) or a terms
 * bucket; metric: count | sum | unique_count of a field; split: terms bucket
 * for the series. Terms buckets are ordered by the metric, largest first.
 */
const CHARTS = [
  {
    id: 'flowtap-flows-by-application',
    title: 'flowtap: flows by application',
    description: 'Flow records over time, stacked by protocol_name.',
    series: 'bar_stacked',
    x: 'time',
    metric: { op: 'count', label: 'Flows' },
    split: { field: 'protocol_name', dataType: 'string', size: 10 },
  },
  {
    id: 'flowtap-bytes-by-application',
    title: 'flowtap: bytes by application',
    description: 'Bytes of both directions over time, stacked by protocol_name.',
    series: 'area_stacked',
    x: 'time',
    metric: { op: 'sum', field: 'bytes', label: 'Bytes', format: 'bytes' },
    split: { field: 'protocol_name', dataType: 'string', size: 10 },
  },
  {
    id: 'flowtap-scan-view',
    title: 'flowtap: distinct destination ports per source',
    description: 'Unique count of dst_port per src_addr over time: a port scan shows as a source reaching many ports.',
    series: 'line',
    x: 'time',
    metric: { op: 'unique_count', field: 'dst_port', label: 'Distinct destination ports' },
    split: { field: 'src_addr', dataType: 'ip', size: 10 },
  },
  {
    id: 'flowtap-top-talkers',
    title: 'flowtap: top talkers',
    description: 'Sources with the most bytes (both directions of the flows they started).',
    series: 'bar_horizontal',
    x: { field: 'src_addr', dataType: 'ip', size: 15 },
    metric: { op: 'sum', field: 'bytes', label: 'Bytes', format: 'bytes' },
  },
];

const DASHBOARD = {
  id: 'flowtap-traffic-overview',
  title: 'flowtap: traffic overview',
  description: 'Flows, bytes, scans and talkers from flowtap flow records (flowtap-* indices).',
};

/** Dashboard grid (48 columns wide): which object goes where. */
const LAYOUT = [
  { ref: 'flowtap-flows-by-application', x: 0, y: 0, w: 24, h: 15 },
  { ref: 'flowtap-bytes-by-application', x: 24, y: 0, w: 24, h: 15 },
  { ref: 'flowtap-scan-view', x: 0, y: 15, w: 24, h: 15 },
  { ref: 'flowtap-top-talkers', x: 24, y: 15, w: 24, h: 15 },
  { ref: FLOW_TABLE.id, x: 0, y: 30, w: 48, h: 20 },
];

// ---- builders ---------------------------------------------------------------

const json = (v) => JSON.stringify(v);
const emptyQuery = { query: '', language: 'kuery' };

/** Painless for a runtime field that adds numeric fields, treating a missing one as 0. */
function sumScript(fields) {
  const parts = fields.map((f) => `if (doc.containsKey('${f}') && doc['${f}'].size() > 0) { v += doc['${f}'].value; }`);
  return `long v = 0; ${parts.join(' ')} emit(v);`;
}

function dataView() {
  const runtime = {};
  for (const [name, rf] of Object.entries(DATA_VIEW.runtimeFields)) runtime[name] = { type: rf.type, script: { source: sumScript(rf.sum) } };
  const formats = {};
  for (const f of DATA_VIEW.byteFields) formats[f] = { id: 'bytes' };
  return {
    attributes: {
      fieldFormatMap: json(formats),
      fields: '[]',
      runtimeFieldMap: json(runtime),
      timeFieldName: DATA_VIEW.timeField,
      title: DATA_VIEW.title,
    },
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    id: DATA_VIEW.id,
    migrationVersion: { 'index-pattern': TYPE_VERSIONS['index-pattern'] },
    references: [],
    type: 'index-pattern',
  };
}

function savedSearch() {
  return {
    attributes: {
      columns: FLOW_TABLE.columns,
      description: FLOW_TABLE.description,
      hits: 0,
      kibanaSavedObjectMeta: {
        searchSourceJSON: json({ highlightAll: true, version: true, query: emptyQuery, filter: [], indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' }),
      },
      sort: [[DATA_VIEW.timeField, 'desc']],
      title: FLOW_TABLE.title,
      version: 1,
    },
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    id: FLOW_TABLE.id,
    migrationVersion: { search: TYPE_VERSIONS.search },
    references: [{ id: DATA_VIEW.id, name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern' }],
    type: 'search',
  };
}

function metricColumn(m) {
  if (m.op === 'count') {
    return { customLabel: true, dataType: 'number', isBucketed: false, label: m.label, operationType: 'count', scale: 'ratio', sourceField: 'Records' };
  }
  const col = { customLabel: true, dataType: 'number', isBucketed: false, label: m.label, operationType: m.op, scale: 'ratio', sourceField: m.field };
  if (m.format !== undefined) col.params = { format: { id: m.format, params: { decimals: 1 } } };
  return col;
}

function termsColumn(t, orderColumnId) {
  return {
    dataType: t.dataType,
    isBucketed: true,
    label: `Top values of ${t.field}`,
    operationType: 'terms',
    params: { missingBucket: false, orderBy: { columnId: orderColumnId, type: 'column' }, orderDirection: 'desc', otherBucket: true, size: t.size },
    scale: 'ordinal',
    sourceField: t.field,
  };
}

function timeColumn() {
  return { dataType: 'date', isBucketed: true, label: DATA_VIEW.timeField, operationType: 'date_histogram', params: { interval: 'auto' }, scale: 'interval', sourceField: DATA_VIEW.timeField };
}

function lens(chart) {
  const layerId = `${chart.id}-layer`;
  const metricId = `${chart.id}-metric`;
  const xId = `${chart.id}-x`;
  const splitId = `${chart.id}-split`;
  const columns = {};
  columns[xId] = chart.x === 'time' ? timeColumn() : termsColumn(chart.x, metricId);
  if (chart.split !== undefined) columns[splitId] = termsColumn(chart.split, metricId);
  columns[metricId] = metricColumn(chart.metric);
  const columnOrder = chart.split !== undefined ? [splitId, xId, metricId] : [xId, metricId];
  const layer = { accessors: [metricId], layerId, position: 'top', seriesType: chart.series, showGridlines: false, xAccessor: xId };
  if (chart.split !== undefined) layer.splitAccessor = splitId;
  const axes = { x: true, yLeft: true, yRight: true };
  return {
    attributes: {
      description: chart.description,
      state: {
        datasourceStates: { indexpattern: { layers: { [layerId]: { columnOrder, columns, incompleteColumns: {} } } } },
        filters: [],
        query: emptyQuery,
        visualization: {
          axisTitlesVisibilitySettings: axes,
          fittingFunction: 'None',
          gridlinesVisibilitySettings: axes,
          layers: [layer],
          legend: { isVisible: true, position: 'right' },
          preferredSeriesType: chart.series,
          tickLabelsVisibilitySettings: axes,
          valueLabels: 'hide',
          yLeftExtent: { mode: 'full' },
          yRightExtent: { mode: 'full' },
        },
      },
      title: chart.title,
      visualizationType: 'lnsXY',
    },
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    id: chart.id,
    migrationVersion: { lens: TYPE_VERSIONS.lens },
    references: [
      { id: DATA_VIEW.id, name: 'indexpattern-datasource-current-indexpattern', type: 'index-pattern' },
      { id: DATA_VIEW.id, name: `indexpattern-datasource-layer-${layerId}`, type: 'index-pattern' },
    ],
    type: 'lens',
  };
}

function dashboard(objects) {
  const typeOf = new Map(objects.map((o) => [o.id, o.type]));
  const panels = [];
  const references = [];
  LAYOUT.forEach((cell, n) => {
    const type = typeOf.get(cell.ref);
    if (type === undefined) throw new Error(`layout names ${cell.ref}, which is not generated`);
    const i = String(n + 1);
    panels.push({ version: PANEL_VERSION, type, gridData: { x: cell.x, y: cell.y, w: cell.w, h: cell.h, i }, panelIndex: i, embeddableConfig: { enhancements: {} }, panelRefName: `panel_${i}` });
    references.push({ id: cell.ref, name: `${i}:panel_${i}`, type });
  });
  return {
    attributes: {
      description: DASHBOARD.description,
      hits: 0,
      kibanaSavedObjectMeta: { searchSourceJSON: json({ query: emptyQuery, filter: [] }) },
      optionsJSON: json({ hidePanelTitles: false, useMargins: true }),
      panelsJSON: json(panels),
      timeRestore: false,
      title: DASHBOARD.title,
      version: 1,
    },
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    id: DASHBOARD.id,
    migrationVersion: { dashboard: TYPE_VERSIONS.dashboard },
    references,
    type: 'dashboard',
  };
}

function build() {
  const objects = [dataView(), savedSearch(), ...CHARTS.map(lens)];
  objects.push(dashboard(objects));
  return objects.map((o) => `${json(o)}\n`).join('');
}

const text = build();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (current !== text) {
    process.stderr.write(`${path.relative(process.cwd(), OUT)} is out of date: run node scripts/gen-kibana-objects.js\n`);
    process.exit(1);
  }
} else if (process.argv.includes('--stdout')) {
  process.stdout.write(text);
} else {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)} (${text.split('\n').length - 1} objects)\n`);
}
