import type { IndicatorValue } from '../indicators/evaluator.ts';
import { ExactNumber } from './http.ts';

/** A figure's fields as answered: a value that a double cannot hold exactly is written as its exact decimal text. */
export interface FigureFields {
  readonly value: number | ExactNumber | null;
  readonly numerator?: number;
  readonly denominator?: number;
}

/** A figure's value, and its parts when it is a ratio: the one place figure fields are shaped. */
export function figureFields(figure: IndicatorValue): FigureFields {
  return {
    value: figure.exactValue === undefined ? figure.value : new ExactNumber(figure.exactValue),
    ...(figure.numerator === undefined ? {} : { numerator: figure.numerator }),
    ...(figure.denominator === undefined ? {} : { denominator: figure.denominator }),
  };
}
