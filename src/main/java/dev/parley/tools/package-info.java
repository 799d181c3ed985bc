/**
 * Tool use: a {@link dev.parley.tools.ToolLoop} runs Java functions (a
 * {@link dev.parley.tools.Toolbox}) for a model until it answers, under one deadline and budget.
 */
package dev.parley.tools;
