import { BUDGET } from './budget';

// The default limit of every test comes from the one budget (test/support/budget.ts);
// slower tests pass their own, also from there.
jest.setTimeout(BUDGET.test);
