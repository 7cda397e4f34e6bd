import { defineComponent, onBeforeUnmount, onMounted, ref, watch } from 'vue';
import type { PropType } from 'vue';
import type { ChartOption } from './echarts.ts';
import { init } from './echarts.ts';

/**
 * One ECharts chart. The canvas is described to assistive technology by
 * `label` (role img); the same figures are always in a table or text nearby.
 */
export const EChart = defineComponent({
  name: 'EChart',
  props: {
    option: { type: Object as PropType<ChartOption>, required: true },
    label: { type: String, required: true },
    size: { type: String as PropType<'spark' | 'medium' | 'large'>, default: 'large' },
  },
  setup(props) {
    const element = ref<HTMLDivElement>();
    let chart: ReturnType<typeof init> | undefined;
    let observer: ResizeObserver | undefined;

    onMounted(() => {
      if (element.value === undefined) return;
      chart = init(element.value, undefined, { renderer: 'canvas' });
      chart.setOption(props.option);
      observer = new ResizeObserver(() => chart?.resize());
      observer.observe(element.value);
    });
    watch(
      () => props.option,
      (option) => chart?.setOption(option, { notMerge: true }),
    );
    onBeforeUnmount(() => {
      observer?.disconnect();
      chart?.dispose();
    });
    return () => <div ref={element} class={['chart', `chart--${props.size}`]} role="img" aria-label={props.label} />;
  },
});
