#include "fakes/keboola/fake_keboola.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>

#include "fakes/keboola/aws_sigv4.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <zlib.h>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/net/http_client.hpp"
#include "da/web/gzip.hpp"

namespace da::fakes {
namespace {

using nlohmann::json;

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 32), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[4096];
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) break;
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  EXPECT_EQ(result, Z_STREAM_END);
  inflateEnd(&stream);
  return out;
}

std::string utc(const char* format, std::time_t time) {
  std::tm tm{};
  gmtime_r(&time, &tm);
  char text[32];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

struct Credentials {
  std::string key_id, secret, session_token;
};

// Signs a GET the way an S3 client does (SigV4, written here independently of the fake).
std::vector<std::pair<std::string, std::string>> sign_get(const std::string& url,
                                                          const Credentials& credentials) {
  std::string rest = url.substr(std::string("http://").size());
  std::string host = rest.substr(0, rest.find('/'));
  std::string path = rest.substr(rest.find('/'));
  std::time_t now = std::time(nullptr);
  std::string amz_date = utc("%Y%m%dT%H%M%SZ", now);
  std::string date = amz_date.substr(0, 8);
  std::string empty_hash = hex(sha256_raw(""));
  std::string signed_headers = "host;x-amz-content-sha256;x-amz-date;x-amz-security-token";
  std::string canonical = "GET\n" + path + "\n\nhost:" + host +
                          "\nx-amz-content-sha256:" + empty_hash + "\nx-amz-date:" + amz_date +
                          "\nx-amz-security-token:" + credentials.session_token + "\n\n" +
                          signed_headers + "\n" + empty_hash;
  std::string scope = date + "/us-east-1/s3/aws4_request";
  std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + hex(sha256_raw(canonical));
  std::string key = hmac_sha256("AWS4" + credentials.secret, date);
  key = hmac_sha256(hmac_sha256(hmac_sha256(key, "us-east-1"), "s3"), "aws4_request");
  std::string signature = hex(hmac_sha256(key, to_sign));
  return {{"Authorization", "AWS4-HMAC-SHA256 Credential=" + credentials.key_id + "/" + scope +
                                ", SignedHeaders=" + signed_headers + ", Signature=" + signature},
          {"x-amz-content-sha256", empty_hash},
          {"x-amz-date", amz_date},
          {"x-amz-security-token", credentials.session_token}};
}

net::HttpRequest request(const std::string& method, const std::string& url,
                         std::vector<std::pair<std::string, std::string>> headers = {},
                         std::string body = "") {
  net::HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers = std::move(headers);
  request.body = std::move(body);
  request.total_timeout = std::chrono::seconds(5);
  // A dropped connection must show as an error, not as libcurl's silent retry on a fresh one.
  request.reuse_connection = false;
  return request;
}

class FakeKeboolaTest : public ::testing::Test {
 protected:
  FakeKeboolaTest() {
    FakeTable orders;
    orders.id = "in.c-crm.orders";
    orders.columns = {"id", "status", "amount"};
    orders.primary_key = {"id"};
    orders.column_metadata["amount"] = {
        {"KBC.datatype.basetype", "NUMERIC", "user"},
        {"KBC.description", "Order total", "ai-metadata-enrichment"}};
    fake.add_table(orders);
    fake.import_rows(orders.id, {{"1", "open", "10"}, {"2", "paid", "9.5"}, {"3", "open", "100"}},
                     1'700'000'000);
    fake.import_rows(orders.id, {{"2", "refunded", "9.5"}, {"4", "say \"hi\"", "-1"}},
                     1'700'086'400);
    FakeTable alias;
    alias.id = "out.c-share.orders";
    alias.alias_of = orders.id;
    alias.column_metadata["id"] = {{"KBC.description", "Alias key", "user"}};
    fake.add_table(alias);
    FakeTable typed;
    typed.id = "in.c-crm.typed";
    typed.columns = {"x"};
    typed.definition = json{{"primaryKeysNames", json::array()},
                            {"columns", {{{"name", "x"}, {"basetype", "INTEGER"}}}}};
    fake.add_table(typed);
  }

  net::HttpResponse get(const std::string& path, const std::string& token = "fake-token") {
    return client.send(request("GET", fake.url() + path, {{"X-StorageApi-Token", token}}));
  }

  net::HttpResponse post(const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& form) {
    return client.send(request("POST", fake.url() + path,
                               {{"X-StorageApi-Token", "fake-token"},
                                {"Content-Type", "application/x-www-form-urlencoded"}},
                               net::form_encode(form)));
  }

  // Runs an export to completion and returns the file info (with federation credentials).
  json export_file(const std::vector<std::pair<std::string, std::string>>& form,
                   const std::string& table = "in.c-crm.orders") {
    auto started = post("/v2/storage/tables/" + table + "/export-async", form);
    EXPECT_EQ(started.status, 202) << started.body;
    json job = json::parse(started.body);
    for (int poll = 0; poll < 10 && job["status"] != "success"; ++poll)
      job = json::parse(get("/v2/storage/jobs/" + std::to_string(job["id"].get<int64_t>())).body);
    EXPECT_EQ(job["status"], "success") << job.dump();
    auto file =
        get("/v2/storage/files/" + std::to_string(job["results"]["file"]["id"].get<int64_t>()) +
            "?federationToken=1");
    EXPECT_EQ(file.status, 200);
    return json::parse(file.body);
  }

  std::string fetch(const std::string& url,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto response = client.send(request("GET", url, std::move(headers)));
    EXPECT_EQ(response.status, 200) << url << "\n" << response.body;
    return response.body;
  }

  // The object-store URL of an s3:// / gs:// manifest entry.
  std::string object_url(const std::string& entry) {
    return fake.object_store_url() + "/" + entry.substr(entry.find("://") + 3);
  }

  FakeKeboola fake;
  net::HttpClient client;
};

TEST_F(FakeKeboolaTest, WrongTokenIsRefusedWithStorageTokenInvalid) {
  auto response = get("/v2/storage/tokens/verify", "wrong");
  EXPECT_EQ(response.status, 401);
  json body = json::parse(response.body);
  EXPECT_EQ(body["code"], "storage.tokenInvalid");
  EXPECT_EQ(body["error"], "Invalid access token");
  EXPECT_TRUE(body["exceptionId"].get<std::string>().starts_with("exception-"));
  EXPECT_FALSE(response.header("x-request-id").empty());
  auto verified = get("/v2/storage/tokens/verify");
  EXPECT_EQ(verified.status, 200);
  EXPECT_EQ(json::parse(verified.body)["owner"]["name"], "Fake Project");
}

TEST_F(FakeKeboolaTest, TableListShowsOnlyWhatIncludeAsksFor) {
  json bare = json::parse(get("/v2/storage/tables").body);
  ASSERT_EQ(bare.size(), 3u);
  EXPECT_FALSE(bare[0].contains("columns"));
  EXPECT_FALSE(bare[0].contains("columnMetadata"));
  json full = json::parse(get("/v2/storage/tables?include=columns,buckets,columnMetadata").body);
  auto find = [&](const std::string& id) {
    return *std::find_if(full.begin(), full.end(), [&](const json& t) { return t["id"] == id; });
  };
  json orders = find("in.c-crm.orders");
  EXPECT_EQ(orders["columns"], json({"id", "status", "amount"}));
  EXPECT_EQ(orders["rowsCount"], 4);
  EXPECT_EQ(orders["bucket"]["id"], "in.c-crm");
  EXPECT_EQ(orders["bucket"]["name"], "crm");
  EXPECT_EQ(orders["columnMetadata"]["amount"][1]["provider"], "ai-metadata-enrichment");
  json alias = find("out.c-share.orders");
  EXPECT_TRUE(alias["isAlias"]);
  EXPECT_EQ(alias["columns"], orders["columns"]);
  EXPECT_EQ(alias["columnMetadata"]["id"][0]["value"], "Alias key");
  EXPECT_EQ(alias["sourceTable"]["columnMetadata"]["amount"][0]["value"], "NUMERIC");
  EXPECT_TRUE(find("in.c-crm.typed")["isTyped"]);
  EXPECT_EQ(find("in.c-crm.typed")["definition"]["columns"][0]["basetype"], "INTEGER");

  json buckets = json::parse(get("/v2/storage/buckets").body);
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[1]["id"], "out.c-share");
  EXPECT_EQ(buckets[1]["stage"], "out");
  json detail = json::parse(get("/v2/storage/tables/out.c-share.orders").body);
  EXPECT_EQ(detail["sourceTable"]["id"], "in.c-crm.orders");
  EXPECT_TRUE(detail.contains("columns"));
  auto missing = get("/v2/storage/tables/in.c-crm.nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["code"], "storage.tables.notFound");
}

TEST_F(FakeKeboolaTest, ExportJobProcessesForTheConfiguredPollsThenSucceedsOrFails) {
  fake.set_job_polls(2);
  auto started = post("/v2/storage/tables/in.c-crm.orders/export-async", {{"format", "rfc"}});
  ASSERT_EQ(started.status, 202);
  json job = json::parse(started.body);
  EXPECT_EQ(job["status"], "waiting");
  EXPECT_EQ(job["operationName"], "tableExport");
  std::string job_path = "/v2/storage/jobs/" + std::to_string(job["id"].get<int64_t>());
  EXPECT_EQ(json::parse(get(job_path).body)["status"], "processing");
  EXPECT_EQ(json::parse(get(job_path).body)["status"], "processing");
  json done = json::parse(get(job_path).body);
  EXPECT_EQ(done["status"], "success");
  EXPECT_TRUE(done["results"]["file"]["id"].is_number());

  fake.set_job_polls(0);
  fake.fail_next_export("in.c-crm.orders", "Snowflake went away");
  json failed = json::parse(post("/v2/storage/tables/in.c-crm.orders/export-async", {}).body);
  json result =
      json::parse(get("/v2/storage/jobs/" + std::to_string(failed["id"].get<int64_t>())).body);
  EXPECT_EQ(result["status"], "error");
  EXPECT_EQ(result["error"]["message"], "Snowflake went away");
  EXPECT_EQ(post("/v2/storage/tables/in.c-crm.orders/export-async", {{"format", "raw"}}).status,
            400);
  auto requests = fake.export_requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].form.at("format"), std::vector<std::string>{"rfc"});
}

TEST_F(FakeKeboolaTest, UnslicedExportHasHeaderAndHonoursChangedSinceAndUntil) {
  fake.set_job_polls(0);
  fake.set_slices(0);
  json file = export_file({{"gzip", "0"}, {"changedSince", "2023-11-15T00:00:00Z"}});
  EXPECT_FALSE(file["isSliced"]);
  EXPECT_EQ(file["name"], "in.c-crm.orders.csv");
  EXPECT_EQ(fetch(file["url"]),
            "\"id\",\"status\",\"amount\"\n\"2\",\"refunded\",\"9.5\"\n\"4\",\"say "
            "\"\"hi\"\"\",\"-1\"\n");
  json older = export_file({{"gzip", "1"}, {"changedUntil", "1700086400"}});
  EXPECT_EQ(older["name"], "in.c-crm.orders.csv.gz");
  EXPECT_EQ(gunzip(fetch(older["url"])),
            "\"id\",\"status\",\"amount\"\n\"1\",\"open\",\"10\"\n\"3\",\"open\",\"100\"\n");
  EXPECT_EQ(
      post("/v2/storage/tables/in.c-crm.orders/export-async", {{"changedSince", "soon"}}).status,
      400);
}

TEST_F(FakeKeboolaTest, WhereFiltersAndColumnsSelectRowsAndValues) {
  fake.set_job_polls(0);
  fake.set_slices(0);
  auto csv = [&](const std::vector<std::pair<std::string, std::string>>& form) {
    auto fields = form;
    fields.emplace_back("gzip", "0");
    return fetch(export_file(fields)["url"]);
  };
  EXPECT_EQ(csv({{"columns", "amount,id"},
                 {"whereFilters[0][column]", "status"},
                 {"whereFilters[0][operator]", "eq"},
                 {"whereFilters[0][values][0]", "open"},
                 {"whereFilters[0][values][1]", "refunded"}}),
            "\"amount\",\"id\"\n\"10\",\"1\"\n\"9.5\",\"2\"\n\"100\",\"3\"\n");
  // Numeric comparison: "9.5" < "10" although it sorts after it as text.
  EXPECT_EQ(csv({{"columns[]", "id"},
                 {"whereFilters[0][column]", "amount"},
                 {"whereFilters[0][operator]", "lt"},
                 {"whereFilters[0][values][0]", "10"},
                 {"whereFilters[1][column]", "status"},
                 {"whereFilters[1][operator]", "ne"},
                 {"whereFilters[1][values][0]", "open"}}),
            "\"id\"\n\"2\"\n\"4\"\n");
  auto bad = post("/v2/storage/tables/in.c-crm.orders/export-async",
                  {{"whereFilters[0][column]", "nope"}, {"whereFilters[0][values][0]", "x"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(fake.export_requests().back().form.at("whereFilters[0][column]")[0], "nope");
}

TEST_F(FakeKeboolaTest, SlicedGzipExportIsServedToSigV4SignedRequests) {
  fake.set_job_polls(0);
  fake.set_slices(3);
  json file = export_file({{"gzip", "1"}});
  EXPECT_TRUE(file["isSliced"]);
  EXPECT_EQ(file["provider"], "aws");
  Credentials credentials{file["credentials"]["AccessKeyId"],
                          file["credentials"]["SecretAccessKey"],
                          file["credentials"]["SessionToken"]};
  json manifest = json::parse(fetch(file["url"]));
  ASSERT_EQ(manifest["entries"].size(), 3u);
  std::vector<std::string> lines;
  for (const json& entry : manifest["entries"]) {
    std::string entry_url = entry["url"];
    ASSERT_TRUE(
        entry_url.starts_with("s3://kbc-fake-bucket/" + file["s3Path"]["key"].get<std::string>()));
    std::string url = object_url(entry_url);
    for (auto& line : split(gunzip(fetch(url, sign_get(url, credentials))), '\n'))
      if (!line.empty()) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"\"1\",\"open\",\"10\"", "\"2\",\"refunded\",\"9.5\"",
                                             "\"3\",\"open\",\"100\"",
                                             "\"4\",\"say \"\"hi\"\"\",\"-1\""}));
  EXPECT_EQ(fake.seen_authorization_headers().size(), 3u);
  EXPECT_EQ(fake.max_concurrent_downloads(), 1);

  std::string slice = object_url(manifest["entries"][0]["url"]);
  Credentials wrong = credentials;
  wrong.secret += "x";
  auto refused = client.send(request("GET", slice, sign_get(slice, wrong)));
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos);
  EXPECT_EQ(client.send(request("GET", slice)).status, 403);
  wrong = credentials;
  wrong.session_token = "stolen";
  EXPECT_EQ(client.send(request("GET", slice, sign_get(slice, wrong))).status, 403);
}

TEST(AwsSigV4, MatchesTheGetObjectExampleOfTheS3Documentation) {
  WireFields headers = {{"host", "examplebucket.s3.amazonaws.com"},
                        {"range", "bytes=0-9"},
                        {"x-amz-content-sha256", hex(sha256_raw(""))},
                        {"x-amz-date", "20130524T000000Z"}};
  std::string canonical = sigv4_canonical_request(
      "GET", "/test.txt", "", headers, {"host", "range", "x-amz-content-sha256", "x-amz-date"},
      hex(sha256_raw("")));
  std::string to_sign =
      sigv4_string_to_sign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", canonical);
  EXPECT_EQ(sigv4_signature("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1",
                            "s3", to_sign),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_F(FakeKeboolaTest, GcpWantsTheBearerTokenAndAzureTheSasSignature) {
  fake.set_job_polls(0);
  fake.set_slices(1);
  fake.set_cloud(FakeCloud::kGcp);
  json gcp = export_file({{"gzip", "0"}});
  std::string token = gcp["gcsCredentials"]["access_token"];
  json manifest = json::parse(fetch(gcp["url"]));
  std::string entry = manifest["entries"][0]["url"];
  EXPECT_TRUE(entry.starts_with("gs://kbc-fake-bucket/"));
  EXPECT_NE(fetch(object_url(entry), {{"Authorization", "Bearer " + token}}).find("\"refunded\""),
            std::string::npos);
  EXPECT_EQ(client.send(request("GET", object_url(entry), {{"Authorization", "Bearer x"}})).status,
            401);

  fake.set_cloud(FakeCloud::kAzure);
  json azure = export_file({{"gzip", "0"}});
  std::string connection = azure["absCredentials"]["SASConnectionString"];
  std::string endpoint = connection.substr(13, connection.find(';') - 13);
  std::string sas = connection.substr(connection.find("SharedAccessSignature=") + 22);
  EXPECT_EQ(endpoint, fake.object_store_url());
  entry = json::parse(fetch(azure["url"]))["entries"][0]["url"];
  std::string prefix = "azure://kbcfakeaccount.blob.core.windows.net/";
  ASSERT_TRUE(entry.starts_with(prefix));
  std::string blob = endpoint + "/" + entry.substr(prefix.size());
  EXPECT_NE(fetch(blob + "?" + sas).find("\"refunded\""), std::string::npos);
  EXPECT_EQ(client.send(request("GET", blob + "?sv=2017-11-09&sig=wrong")).status, 403);
}

TEST_F(FakeKeboolaTest, InjectedFailuresDropsAndDelaysHitMatchingPathsOnly) {
  fake.fail_requests("/v2/storage/tables", 1, 429, 7);
  auto limited = get("/v2/storage/tables");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "7");
  EXPECT_EQ(get("/v2/storage/tables").status, 200);

  fake.drop_connections("/v2/storage/buckets", 1);
  EXPECT_THROW(get("/v2/storage/buckets"), Error);
  EXPECT_EQ(get("/v2/storage/buckets").status, 200);
  EXPECT_EQ(fake.requests_to("/v2/storage/buckets"), 2);

  fake.delay_requests("/v2/storage/tokens", std::chrono::milliseconds(300), 1);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(get("/v2/storage/buckets").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(250));
  EXPECT_EQ(get("/v2/storage/tokens/verify").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
}

TEST_F(FakeKeboolaTest, ExportSlicesComeFromDiskAndSupportRanges) {
  da::testing::TempDir dir;
  std::string text = "\"5\",\"disk\",\"1\"\n";
  auto first_slice = dir.write("a.gz", web::gzip(text));
  auto empty_slice = dir.write("b.gz", web::gzip(""));
  fake.set_export_slices("in.c-crm.orders", {first_slice, empty_slice});
  fake.set_job_polls(0);
  json file = export_file({{"gzip", "1"}});
  EXPECT_EQ(file["sizeBytes"],
            std::filesystem::file_size(first_slice) + std::filesystem::file_size(empty_slice));
  Credentials credentials{file["credentials"]["AccessKeyId"],
                          file["credentials"]["SecretAccessKey"],
                          file["credentials"]["SessionToken"]};
  json manifest = json::parse(fetch(file["url"]));
  ASSERT_EQ(manifest["entries"].size(), 2u);
  std::string url = object_url(manifest["entries"][0]["url"]);
  std::string whole = fetch(url, sign_get(url, credentials));
  EXPECT_EQ(gunzip(whole), text);
  EXPECT_EQ(gunzip(fetch(object_url(manifest["entries"][1]["url"]),
                         sign_get(object_url(manifest["entries"][1]["url"]), credentials))),
            "");
  auto headers = sign_get(url, credentials);
  headers.emplace_back("Range", "bytes=10-");
  auto part = client.send(request("GET", url, headers));
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, whole.substr(10));
}

}  // namespace
}  // namespace da::fakes
