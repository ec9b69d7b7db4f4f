// Package network is the read model of the Citizen's House network: the
// campaign list (with its tracker figures), the organisation list, and the
// campaigns' live feed. Rows hold the aggregates' folded state, folded with
// their own Apply, so a list never disagrees with the page of a campaign.
// How many linked cases are resolved is not kept here: it is read from the
// case list when asked, so it follows the cases' own events live.
package network
