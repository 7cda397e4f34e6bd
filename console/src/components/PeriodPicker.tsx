import { defineComponent } from 'vue';
import type { PropType } from 'vue';
import { t } from '../i18n/locale.ts';
import type { PeriodChoice, PeriodKind } from '../periods.ts';
import { selectableYears } from '../periods.ts';

/** Year, quarter or month of a year: labelled selects in one fieldset. */
export const PeriodPicker = defineComponent({
  name: 'PeriodPicker',
  props: {
    modelValue: { type: Object as PropType<PeriodChoice>, required: true },
    'onUpdate:modelValue': { type: Function as PropType<(value: PeriodChoice) => void>, required: true },
  },
  setup(props) {
    const update = (patch: Partial<PeriodChoice>): void => props['onUpdate:modelValue']({ ...props.modelValue, ...patch });
    const selected = (event: Event): number => Number((event.target as HTMLSelectElement).value);
    return () => {
      const m = t.value.period;
      const value = props.modelValue;
      return (
        <fieldset class="picker">
          <legend>{m.label}</legend>
          <label>
            <span>{m.kind}</span>
            <select value={value.kind} onChange={(e: Event) => update({ kind: (e.target as HTMLSelectElement).value as PeriodKind })}>
              <option value="year">{m.year}</option>
              <option value="quarter">{m.quarter}</option>
              <option value="month">{m.month}</option>
            </select>
          </label>
          <label>
            <span>{m.yearLabel}</span>
            <select value={value.year} onChange={(e: Event) => update({ year: selected(e) })}>
              {selectableYears().map((year) => (
                <option key={year} value={year}>
                  {year}
                </option>
              ))}
            </select>
          </label>
          {value.kind === 'quarter' ? (
            <label>
              <span>{m.quarterLabel}</span>
              <select value={value.quarter} onChange={(e: Event) => update({ quarter: selected(e) })}>
                {[1, 2, 3, 4].map((q) => (
                  <option key={q} value={q}>
                    {m.quarterName(q)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {value.kind === 'month' ? (
            <label>
              <span>{m.monthLabel}</span>
              <select value={value.month} onChange={(e: Event) => update({ month: selected(e) })}>
                {Array.from({ length: 12 }, (_, i) => i + 1).map((month) => (
                  <option key={month} value={month}>
                    {m.monthName(month)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </fieldset>
      );
    };
  },
});
