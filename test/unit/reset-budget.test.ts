import { describe, expect, it } from "vitest";
import { nghttp2ResetLimit, ResetBudget } from "../../runtime/transport/grpc-js/reset-budget.js";

describe("ResetBudget (the client's copy of the server's rapid-reset bucket)", () => {
  it("is exhausted once three quarters of the burst are spent at once", () => {
    const budget = new ResetBudget({ burst: 1000, perSecond: 33 }, 0);
    for (let i = 0; i < 750; i++) budget.spend(0);
    expect(budget.exhausted(0)).toBe(false);
    budget.spend(0);
    expect(budget.exhausted(0)).toBe(true);
  });

  it("regains perSecond tokens a second, never more than the burst", () => {
    const budget = new ResetBudget({ burst: 100, perSecond: 10 }, 0);
    for (let i = 0; i < 80; i++) budget.spend(0);
    expect(budget.exhausted(0)).toBe(true); // 20 left < 25
    expect(budget.exhausted(1000)).toBe(false); // 30 left
    // A long idle time refills to the burst only: 75 more resets still fit, the 76th does not.
    for (let i = 0; i < 75; i++) budget.spend(3_600_000);
    expect(budget.exhausted(3_600_000)).toBe(false);
    budget.spend(3_600_000);
    expect(budget.exhausted(3_600_000)).toBe(true);
  });

  it("a client cancelling at the server's refill rate never runs dry", () => {
    const budget = new ResetBudget(nghttp2ResetLimit, 0);
    for (let ms = 0; ms < 600_000; ms += 1000 / 30) budget.spend(ms);
    expect(budget.exhausted(600_000)).toBe(false);
  });
});
