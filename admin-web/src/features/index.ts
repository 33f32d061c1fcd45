// Every feature of the admin panel, in one list. A new section (users, support, finance, ...) adds its
// folder with a routes.ts and one line here; the router and the sidebar pick it up.
import accounts from "./accounts/routes";
import audit from "./audit/routes";
import locations from "./locations/routes";
import profile from "./profile/routes";
import servers from "./servers/routes";
import tariffs from "./tariffs/routes";
import type { FeatureModule } from "./types";

export const FEATURES: FeatureModule[] = [servers, locations, tariffs, accounts, audit, profile];

export const NAV_ITEMS = FEATURES.flatMap((feature) => feature.nav);
