// Key slots against the Redis Cluster specification's reference values and
// what a cluster-enabled redis-server 7 answers to CLUSTER KEYSLOT.
#include "cluster_slot.h"

#include <gtest/gtest.h>

#include "ticket/config.h"
#include "ticket/context.h"
#include "ticket/seat_map.h"

namespace ticket {
namespace {

TEST(ClusterSlot, Crc16IsXmodemAsTheSpecificationSays) {
  EXPECT_EQ(crc16("123456789"), 0x31C3) << "the specification's check value";
  EXPECT_EQ(crc16(""), 0);
}

TEST(ClusterSlot, SlotsAreThoseRedisGives) {
  EXPECT_EQ(key_slot("123456789"), 12739);
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot(""), 0);
}

// The hash tag rules of the specification, each with its example.
TEST(ClusterSlot, AHashTagIsTheFirstNonEmptyBracedPart) {
  EXPECT_EQ(key_slot("{user1000}.following"), 3443);
  EXPECT_EQ(key_slot("{user1000}.followers"), 3443) << "same tag, same slot";
  EXPECT_EQ(key_slot("foo{}{bar}"), 8363) << "an empty first tag: the whole key";
  EXPECT_NE(key_slot("foo{}{bar}"), key_slot("bar")) << "not by the second tag";
  EXPECT_EQ(key_slot("foo{{bar}}zap"), 4015) << "the tag is '{bar'";
  EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));
  EXPECT_EQ(key_slot("foo{bar}{zap}"), 5061) << "the first tag: 'bar'";
  EXPECT_EQ(key_slot("a{b}c"), 3300);
  EXPECT_EQ(key_slot("tl:{c42}:meta"), 7547);
}

TEST(ClusterSlot, EveryKeyOfAConcertIsInOneSlot) {
  Config config;
  config.redis.key_prefix = "shop1";
  Context ctx(config);
  for (uint64_t concert : {1ull, 42ull, 123456789ull}) {
    const SeatMapKeys keys = seat_map_keys(ctx, concert);
    const int slot = key_slot("{c" + std::to_string(concert) + "}");
    for (const std::string& key : keys.in_script_order()) EXPECT_EQ(key_slot(key), slot) << key;
    EXPECT_EQ(key_slot(keys.events), slot) << keys.events;
  }
}

}  // namespace
}  // namespace ticket
