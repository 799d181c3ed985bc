/**
 * Cost accounting: a dated {@link dev.parley.cost.PriceTable}, a thread-safe
 * {@link dev.parley.cost.CostTracker}, and {@link dev.parley.cost.CostPolicy}, which prices every
 * call and can refuse calls that would exceed a budget.
 */
package dev.parley.cost;
