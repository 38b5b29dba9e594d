#include "da/ops/systemd_units.hpp"

#include <gtest/gtest.h>

namespace da::ops {
namespace {

TEST(SystemdUnits, ParsesTheBlocksOfSystemctlShow) {
  auto units = parse_systemctl_show(
      "Id=da-portal.service\nActiveState=active\nSubState=running\nUnitFileState=enabled\n"
      "Type=notify\nResult=success\nLastTriggerUSec=n/a\nNextElapseUSecRealtime=\n\n"
      "Id=da-sync.timer\nActiveState=active\nSubState=waiting\nUnitFileState=enabled\n"
      "LastTriggerUSec=Sun 2026-12-07 14:00:01 UTC\n"
      "NextElapseUSecRealtime=Sun 2026-12-07 19:00:00 UTC\n");
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].name, "da-portal.service");
  EXPECT_EQ(units[0].type, "notify");
  EXPECT_EQ(units[0].last_trigger, "");
  EXPECT_FALSE(units[0].is_timer());
  EXPECT_TRUE(units[1].is_timer());
  EXPECT_EQ(units[1].sub, "waiting");
  EXPECT_EQ(units[1].next_elapse, "Sun 2026-12-07 19:00:00 UTC");
}

UnitState unit(std::string name, std::string active, std::string enabled, std::string type) {
  UnitState state;
  state.name = std::move(name);
  state.active = std::move(active);
  state.enabled = std::move(enabled);
  state.type = std::move(type);
  return state;
}

TEST(SystemdUnits, AttentionGoesToFailedUnitsAndEnabledOnesThatDoNotRun) {
  UnitState portal = unit("da-portal.service", "active", "enabled", "notify");
  EXPECT_FALSE(portal.needs_attention());
  portal.active = "inactive";
  EXPECT_TRUE(portal.needs_attention());
  portal.enabled = "disabled";  // a feature that is not configured
  EXPECT_FALSE(portal.needs_attention());
  UnitState sync = unit("da-sync.service", "inactive", "static", "oneshot");
  EXPECT_FALSE(sync.needs_attention());  // between two runs of its timer
  sync.active = "failed";
  EXPECT_TRUE(sync.needs_attention());
  UnitState timer = unit("da-sync.timer", "inactive", "enabled", "");
  EXPECT_TRUE(timer.needs_attention());
}

}  // namespace
}  // namespace da::ops
