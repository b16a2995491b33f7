namespace StatProf.Analysis;

/// <summary>
/// An optimization spot: a frame credited, by the hot/cold boundary, with the time between
/// consecutive dumps of requests whose stacks stayed under it (DESIGN.md, "The hot/cold boundary").
/// </summary>
/// <param name="Frame">The frame's name.</param>
/// <param name="Seconds">Time credited to it.</param>
/// <param name="Requests">Requests that credited it at least once.</param>
/// <param name="Intervals">Pairs of consecutive dumps credited to it.</param>
/// <param name="Share">Its share of all the time between consecutive dumps (credited or not), with a Wilson
/// interval over the number of such pairs.</param>
public sealed record Spot(string Frame, double Seconds, int Requests, long Intervals, Share Share);
