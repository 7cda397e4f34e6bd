import type { IndicatorValue } from '../indicators/evaluator.ts';

/** A figure's value, and its parts when it is a ratio: the one place figure fields are shaped. */
export function figureFields(figure: IndicatorValue): Pick<IndicatorValue, 'value' | 'numerator' | 'denominator'> {
  return {
    value: figure.value,
    ...(figure.numerator === undefined ? {} : { numerator: figure.numerator }),
    ...(figure.denominator === undefined ? {} : { denominator: figure.denominator }),
  };
}
