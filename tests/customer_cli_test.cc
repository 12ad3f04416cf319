// Customers through the tools as people would use them: the holder a ticket
// shows in every output stays the one it was bought or applied for with, and
// names that hide or reorder text are refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/sale.h"
#include "support/servers.h"
#include "support/sql.h"

namespace ticket {
namespace {

using nlohmann::json;
using testing::line_count;
using testing::make_concert;
using testing::run_tool;
using testing::scalar_sql;
using testing::TestEnv;
using testing::ToolRun;

struct Person {
  std::string name;
  std::string age;
  std::string gender;
  std::string id;
};

class CustomerCli : public ::testing::Test {
 protected:
  CustomerCli() : ctx_(env_.context()) {}

  ToolRun tool(const std::string& name, const std::vector<std::string>& args) {
    return run_tool(env_.config_file(), name, args);
  }
  std::vector<std::string> person_flags(const Person& p) {
    return {"--name", p.name, "--age", p.age, "--gender", p.gender, "--id-number", p.id};
  }
  ToolRun buy(const Concert& c, const std::string& seat, const Person& p,
              std::vector<std::string> args = {}) {
    args.insert(args.end(), {"--concert", c.slug, "--seat", seat});
    for (auto& a : person_flags(p)) args.push_back(a);
    return tool("tl-buy", args);
  }
  ToolRun apply(const Concert& c, const Person& p, std::vector<std::string> args = {}) {
    args.insert(args.end(), {"--concert", c.slug, "--q1", "Why?", "--q2", "All.", "--q3", "No."});
    for (auto& a : person_flags(p)) args.push_back(a);
    return tool("tl-apply-free", args);
  }
  // The code printed by a run with -q.
  std::string code_of(const ToolRun& r) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? r.out.substr(0, 11) : "";
  }
  int64_t sql(const std::string& query) { return scalar_sql(**ctx_->db(), query); }

  TestEnv env_;
  std::unique_ptr<Context> ctx_;
};

// Two people give the same security number: the second one's buy and
// application leave the first one's tickets showing the first one, in
// tl-status, the listings (table, JSON, CSV) and the applications listing.
TEST_F(CustomerCli, ALaterBuyOrApplicationLeavesEarlierHoldersInEveryOutput) {
  const Concert first = make_concert(*ctx_, {4, 5, 3, 300, 1});
  const Concert second = make_concert(*ctx_, {4, 5, 3, 300, 1});
  const Person ada{"Ada Lovelace", "36", "female", "SAME0001"};
  const Person zoe{"Zoë Ólafsdóttir", "28", "LGBT+", "SAME0002"};
  const std::string bought = code_of(buy(first, "A1", ada, {"-q"}));
  ASSERT_FALSE(bought.empty());
  ASSERT_EQ(tool("tl-pay", {bought, "--platform", "DIRECT", "--reference", "R-1"}).exit_code, 0);
  const std::string applied = code_of(apply(first, zoe, {"-q"}));
  ASSERT_FALSE(applied.empty());

  // The same security numbers under other names, age and gender.
  const Person mallory{"Mallory Mallet", "99", "male", "same0001"};
  const Person eve{"Eve Eavesdropper", "51", "unspecified", "same0002"};
  ASSERT_EQ(apply(second, mallory).exit_code, 0);
  ASSERT_EQ(buy(second, "A1", eve).exit_code, 0);

  ToolRun status = tool("tl-status", {bought});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("Ada Lovelace, id ****0001"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("Mallory"), std::string::npos) << status.out;
  ToolRun status_json = tool("tl-status", {applied, "--json"});
  ASSERT_EQ(status_json.exit_code, 0) << status_json.err;
  EXPECT_EQ(json::parse(status_json.out)["ticket"]["customer"]["name"], "Zoë Ólafsdóttir");

  ToolRun table = tool("tl-admin", {"tickets", "--concert", first.slug});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Ada Lovelace ****0001"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Zoë Ólafsdóttir ****0002"), std::string::npos) << table.out;
  ToolRun listed = tool("tl-admin", {"tickets", "--concert", first.slug, "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json tickets = json::parse(listed.out)["tickets"];
  ASSERT_EQ(tickets.size(), 2u);
  EXPECT_EQ(tickets[0]["customer"]["name"], "Ada Lovelace");
  EXPECT_EQ(tickets[1]["customer"]["name"], "Zoë Ólafsdóttir");
  ToolRun csv = tool("tl-admin", {"tickets", "--concert", first.slug, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find(",Ada Lovelace,****0001,"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find(",Zoë Ólafsdóttir,****0002,"), std::string::npos) << csv.out;
  for (const char* other : {"Mallory", "Eve"}) {
    EXPECT_EQ(table.out.find(other), std::string::npos) << table.out;
    EXPECT_EQ(listed.out.find(other), std::string::npos) << listed.out;
    EXPECT_EQ(csv.out.find(other), std::string::npos) << csv.out;
  }

  ToolRun apps = tool("tl-admin", {"applications", "--concert", first.slug, "--json"});
  ASSERT_EQ(apps.exit_code, 0) << apps.err;
  EXPECT_EQ(json::parse(apps.out)["tickets"][0]["customer"]["name"], "Zoë Ólafsdóttir");
  ToolRun apps_csv = tool("tl-admin", {"applications", "--concert", first.slug, "--format", "csv"});
  ASSERT_EQ(apps_csv.exit_code, 0) << apps_csv.err;
  EXPECT_NE(apps_csv.out.find(",Zoë Ólafsdóttir,****0002,"), std::string::npos) << apps_csv.out;
  EXPECT_EQ(apps_csv.out.find("Eve"), std::string::npos) << apps_csv.out;

  // The later tickets show their own holders.
  ToolRun later = tool("tl-admin", {"tickets", "--concert", second.slug, "--json"});
  ASSERT_EQ(later.exit_code, 0) << later.err;
  const json theirs = json::parse(later.out)["tickets"];
  ASSERT_EQ(theirs.size(), 2u);
  EXPECT_EQ(theirs[0]["customer"]["name"], "Mallory Mallet");
  EXPECT_EQ(theirs[1]["customer"]["name"], "Eve Eavesdropper");
}

// One line, exit 2 and nothing written, for each kind of name that is
// blank, hides itself or reorders the text around it.
TEST_F(CustomerCli, NamesThatAreBlankInvisibleOrReorderTextAreRefused) {
  const Concert c = make_concert(*ctx_, {4, 5, 3, 300, 1});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {" \xC2\xA0 \xE3\x80\x80", "--name must not be blank, got ' \xC2\xA0 \xE3\x80\x80'"},
      {"Ada \xE2\x80\xAE"
       "ecalevoL",
       "--name must not contain bidirectional overrides or isolates, found U+202E"},
      {"\xE2\x81\xA6"
       "Ada\xE2\x81\xA9",
       "--name must not contain bidirectional overrides or isolates, found U+2066"},
      {"\xE2\x80\x8B\xE2\x80\x8D\xEF\xBB\xBF",
       "--name must have a visible character, not only invisible ones or marks"},
      {"\xCC\x81\xCC\x88",
       "--name must have a visible character, not only invisible ones or marks"},
      {"Ada\xEF\xBF\xBE", "--name must not contain Unicode noncharacters, found U+FFFE"},
      {"Ada\xEF\xB7\x90", "--name must not contain Unicode noncharacters, found U+FDD0"},
  };
  for (const auto& [name, message] : cases) {
    ToolRun r = buy(c, "A1", {name, "30", "female", "NAME0001"});
    EXPECT_EQ(r.exit_code, 2) << message << ": " << r.out;
    EXPECT_EQ(r.out, "") << message;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_EQ(r.err, "tl-buy: error: " + message + "\n");
  }
  ToolRun applied = apply(c, {"\xE2\x80\xAE", "30", "female", "NAME0002"});
  EXPECT_EQ(applied.exit_code, 2) << applied.out;
  EXPECT_EQ(applied.err,
            "tl-apply-free: error: --name must not contain bidirectional overrides or isolates, "
            "found U+202E\n");
  EXPECT_EQ(sql("SELECT COUNT(*) FROM TICKETS"), 0);
  EXPECT_EQ(sql("SELECT COUNT(*) FROM CUSTOMERS"), 0);

  // Spaces around a name are not part of it; marks on a letter are fine.
  const std::string code =
      code_of(buy(c, "A1", {"  Zoe\xCC\x88 Lee \xC2\xA0", "30", "female", "NAME0003"}, {"-q"}));
  ASSERT_FALSE(code.empty());
  ToolRun shown = tool("tl-status", {code, "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(json::parse(shown.out)["ticket"]["customer"]["name"], "Zoe\xCC\x88 Lee");
}

}  // namespace
}  // namespace ticket
