#include "da/ops/portal_certificate.hpp"

#include <algorithm>
#include <ctime>
#include <memory>
#include <regex>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::ops {

namespace fs = std::filesystem;

namespace {

std::string subject_of(X509* certificate) {
  BIO* memory = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(memory, X509_get_subject_name(certificate), 0, XN_FLAG_ONELINE);
  char* data = nullptr;
  long length = BIO_get_mem_data(memory, &data);
  std::string subject(data, static_cast<size_t>(length));
  BIO_free(memory);
  return subject;
}

}  // namespace

CertificateInfo read_certificate(const fs::path& pem) {
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(pem.c_str(), "r"), &std::fclose);
  if (!file) throw Error(ErrorKind::kConfig, "cannot read the certificate " + pem.string());
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!certificate) throw Error(ErrorKind::kConfig, pem.string() + " holds no PEM certificate");
  std::tm expiry{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate.get()), &expiry) != 1)
    throw Error(ErrorKind::kConfig, pem.string() + ": cannot read the certificate's expiry");
  CertificateInfo info;
  info.file = pem;
  info.subject = subject_of(certificate.get());
  info.not_after = std::chrono::time_point_cast<std::chrono::microseconds>(
      Clock::from_time_t(::timegm(&expiry)));
  return info;
}

std::vector<fs::path> nginx_portal_certificates(const fs::path& sites_dir,
                                                const std::string& portal_target) {
  std::vector<fs::path> certificates;
  std::error_code error;
  if (portal_target.empty() || !fs::is_directory(sites_dir, error)) return certificates;
  std::vector<fs::path> sites;
  for (const auto& entry : fs::directory_iterator(sites_dir, error))
    sites.push_back(entry.path());
  std::sort(sites.begin(), sites.end());
  static const std::regex directive(R"((?:^|[;{}\s])ssl_certificate\s+([^;\s]+)\s*;)",
                                    std::regex::ECMAScript | std::regex::multiline);
  for (const fs::path& site : sites) {
    if (!fs::is_regular_file(site, error)) continue;
    std::string text;
    for (const std::string& line : split(read_file(site), '\n'))
      text += line.substr(0, line.find('#')) + "\n";  // without comments
    if (text.find(portal_target) == std::string::npos) continue;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), directive);
         it != std::sregex_iterator(); ++it) {
      fs::path file = (*it)[1].str();
      if (std::find(certificates.begin(), certificates.end(), file) == certificates.end())
        certificates.push_back(file);
    }
  }
  return certificates;
}

}  // namespace da::ops
