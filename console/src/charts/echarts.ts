/**
 * ECharts with only what the console draws — line and bar charts on canvas,
 * with grid, tooltip and ARIA descriptions — so the bundle carries these
 * pieces and not the whole library.
 */
import { BarChart, LineChart } from 'echarts/charts';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import { AriaComponent, GridComponent, TooltipComponent } from 'echarts/components';
import type { AriaComponentOption, GridComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, BarChart, GridComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | TooltipComponentOption | AriaComponentOption>;

export { init };

/** The console's accent colour: the red of the union's reports. */
export const accent = '#b3261e';
