#include "jira/tables/attachment_paths.hpp"

#include "support/expect_error.hpp"
#include <gtest/gtest.h>

#include "da/common/strings.hpp"

namespace da::connectors::jira {
namespace {

TEST(JiraAttachmentPaths, TheIssueNumberSplitsIntoItsLastThreeDigitsAndTheRest) {
  EXPECT_EQ(hierarchical_path("SUPPORT-14991", "10001", "a b.png"), "14/991/10001_a b.png");
  EXPECT_EQ(hierarchical_path("SUPPORT-7", "5", "x.txt"), "0/007/5_x.txt");
  EXPECT_EQ(hierarchical_path("SUPPORT-991", "5", "x.txt"), "0/991/5_x.txt");
  EXPECT_EQ(hierarchical_path("SUPPORT-1000", "5", "x.txt"), "1/000/5_x.txt");
  EXPECT_EQ(hierarchical_path("OPS_2-1234567", "5", "x.txt"), "1234/567/5_x.txt");
}

TEST(JiraAttachmentPaths, NamesThatWouldLeaveTheFolderBecomeOneHarmlessComponent) {
  EXPECT_EQ(sanitise_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(sanitise_file_name("..\\..\\windows\\win.ini"), "win.ini");
  EXPECT_EQ(sanitise_file_name("/absolute/path.txt"), "path.txt");
  EXPECT_EQ(sanitise_file_name(".."), "file");
  EXPECT_EQ(sanitise_file_name("."), "file");
  EXPECT_EQ(sanitise_file_name("..."), "file");
  EXPECT_EQ(sanitise_file_name(""), "file");
  EXPECT_EQ(sanitise_file_name("folder/"), "file");
  EXPECT_EQ(sanitise_file_name(".bashrc"), "bashrc");
  EXPECT_EQ(sanitise_file_name("report v2.final.pdf"), "report v2.final.pdf");
  EXPECT_EQ(sanitise_file_name("a\nb\x01\x7f"
                               "c.txt"),
            "abc.txt");
  EXPECT_EQ(sanitise_file_name(std::string("a\0b.txt", 7)), "ab.txt");
  EXPECT_EQ(sanitise_file_name("\n../.\t."), "file");
  std::string path = hierarchical_path("SUPPORT-1", "1", "../../../../root/.ssh/authorized_keys");
  EXPECT_EQ(path, "0/001/1_authorized_keys");
}

TEST(JiraAttachmentPaths, LongNamesAreCutAt200BytesBetweenUtf8Characters) {
  std::string name = std::string(199, 'a') + "\xc3\xa9" + "b.png";  // é straddles byte 200
  EXPECT_EQ(sanitise_file_name(name), std::string(199, 'a'));
  std::string accents;
  for (int i = 0; i < 150; ++i)
    accents += "\xc3\xa9";
  std::string cut = sanitise_file_name(accents);
  EXPECT_EQ(cut.size(), 200u);
  EXPECT_TRUE(is_valid_utf8(cut));
  EXPECT_EQ(sanitise_file_name(std::string(200, 'x')), std::string(200, 'x'));
}

TEST(JiraAttachmentPaths, AKeyWithoutANumberOrAnIdThatIsNotANumberIsADataError) {
  EXPECT_NE(
      testing::thrown_message(ErrorKind::kData, [] { hierarchical_path("SUPPORT", "1", "x"); })
          .find("SUPPORT"),
      std::string::npos);
  testing::thrown_message(ErrorKind::kData, [] { hierarchical_path("SUPPORT-", "1", "x"); });
  testing::thrown_message(ErrorKind::kData, [] { hierarchical_path("SUPPORT-1a", "1", "x"); });
  EXPECT_NE(
      testing::thrown_message(ErrorKind::kData, [] { hierarchical_path("SUPPORT-1", "../2", "x"); })
          .find("../2"),
      std::string::npos);
}

}  // namespace
}  // namespace da::connectors::jira
