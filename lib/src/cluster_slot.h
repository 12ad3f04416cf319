// Redis Cluster's key slots: which of the 16,384 slots, and so which master,
// holds a key. CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key
// modulo 16,384; a key with a hash tag, a non-empty part between its first
// '{' and the first '}' after it, is hashed by that part alone. Every key of
// a concert's seat map carries the tag {c<ID>} (docs/design.md §3.1), so
// each concert lives in one slot and its scripts run on one node.
#pragma once

#include <cstdint>
#include <string_view>

namespace ticket {

inline constexpr int kClusterSlots = 16384;

uint16_t crc16(std::string_view data);

// The key's slot, 0 to 16,383.
int key_slot(std::string_view key);

}  // namespace ticket
