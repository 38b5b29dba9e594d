// Private to src/broker/sample_data: the words the sample data is made of.
#pragma once

#include <array>
#include <string_view>

namespace da::sample_data::words {

struct Name {
  std::string_view display;
  std::string_view ascii;  // for email addresses
};

inline constexpr Name kFirstNames[] = {
    {"James", "james"},     {"Mary", "mary"},         {"John", "john"},   {"Patricia", "patricia"},
    {"Robert", "robert"},   {"Jennifer", "jennifer"}, {"Lukas", "lukas"}, {"Anna", "anna"},
    {"Jonas", "jonas"},     {"Lea", "lea"},           {"Felix", "felix"}, {"Sophie", "sophie"},
    {"Jan", "jan"},         {"Tereza", "tereza"},     {"Jiří", "jiri"},   {"Kateřina", "katerina"},
    {"Petr", "petr"},       {"Lucie", "lucie"},       {"Tomáš", "tomas"}, {"Eliška", "eliska"},
    {"Louis", "louis"},     {"Camille", "camille"},   {"Hugo", "hugo"},   {"Chloé", "chloe"},
    {"Gabriel", "gabriel"}, {"Manon", "manon"},       {"Emma", "emma"},   {"Noah", "noah"},
    {"Olivia", "olivia"},   {"Liam", "liam"},         {"Marek", "marek"}, {"Zuzana", "zuzana"},
};

inline constexpr Name kLastNames[] = {
    {"Smith", "smith"},     {"Johnson", "johnson"}, {"Williams", "williams"},
    {"Brown", "brown"},     {"Jones", "jones"},     {"Miller", "miller"},
    {"Müller", "mueller"},  {"Schmidt", "schmidt"}, {"Schneider", "schneider"},
    {"Fischer", "fischer"}, {"Weber", "weber"},     {"Wagner", "wagner"},
    {"Novák", "novak"},     {"Svoboda", "svoboda"}, {"Novotný", "novotny"},
    {"Dvořák", "dvorak"},   {"Černý", "cerny"},     {"Procházka", "prochazka"},
    {"Kučera", "kucera"},   {"Veselý", "vesely"},   {"Martin", "martin"},
    {"Bernard", "bernard"}, {"Dubois", "dubois"},   {"Thomas", "thomas"},
    {"Robert", "robert"},   {"Richard", "richard"}, {"Petit", "petit"},
    {"Durand", "durand"},   {"Garcia", "garcia"},   {"Rossi", "rossi"},
    {"Nowak", "nowak"},     {"Jansen", "jansen"},
};

inline constexpr std::string_view kCompanyWords[] = {
    "Acme",      "Nordic",  "Vertex",    "Bluefield", "Granite", "Silverline", "Orbit",  "Keystone",
    "Brightway", "Lumen",   "Northwind", "Redwood",   "Summit",  "Atlas",      "Cobalt", "Harbor",
    "Pioneer",   "Quantum", "Riverside", "Sterling",  "Tandem",  "Union",      "Vista",  "Zenith"};
inline constexpr std::string_view kCompanySuffixes[] = {"s.r.o.", "GmbH", "Ltd", "Inc",
                                                        "SA",     "a.s.", "AG",  "BV"};
inline constexpr std::string_view kWebmailDomains[] = {
    "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "seznam.cz", "gmx.de", "icloud.com"};

struct Country {
  std::string_view name;
  double weight;
  std::array<std::string_view, 3> cities;
};

inline constexpr Country kCountries[] = {
    {"Czech Republic", 0.25, {"Prague", "Brno", "Ostrava"}},
    {"Germany", 0.15, {"Berlin", "Munich", "Hamburg"}},
    {"United States", 0.12, {"New York", "Chicago", "Austin"}},
    {"United Kingdom", 0.10, {"London", "Manchester", "Bristol"}},
    {"France", 0.08, {"Paris", "Lyon", "Toulouse"}},
    {"Austria", 0.05, {"Vienna", "Graz", "Linz"}},
    {"Poland", 0.05, {"Warsaw", "Kraków", "Wrocław"}},
    {"Netherlands", 0.05, {"Amsterdam", "Rotterdam", "Utrecht"}},
    {"Slovakia", 0.05, {"Bratislava", "Košice", "Žilina"}},
    {"Spain", 0.04, {"Madrid", "Barcelona", "Valencia"}},
    {"Italy", 0.03, {"Rome", "Milan", "Turin"}},
    {"Sweden", 0.03, {"Stockholm", "Gothenburg", "Malmö"}},
};

struct Category {
  std::string_view name;
  double min_price;
  double max_price;
  double min_cost_ratio;
  double max_cost_ratio;
  std::array<std::string_view, 15> items;
};

inline constexpr Category kCategories[] = {
    {"Electronics",
     19.99,
     1299.99,
     0.40,
     0.65,
     {"Wireless Earbuds", "Smartphone", "Laptop", "Tablet", "Smartwatch", "Bluetooth Speaker",
      "Monitor", "Keyboard", "Mouse", "Webcam", "Power Bank", "USB-C Hub", "Headphones", "E-Reader",
      "Router"}},
    {"Clothing",
     9.99,
     299.99,
     0.30,
     0.55,
     {"T-Shirt", "Jeans", "Hoodie", "Jacket", "Sneakers", "Dress", "Sweater", "Shorts", "Coat",
      "Scarf", "Cap", "Socks", "Boots", "Blazer", "Polo Shirt"}},
    {"Home & Garden",
     7.99,
     199.99,
     0.35,
     0.55,
     {"Coffee Maker", "Blender", "Desk Lamp", "Plant Pot", "Garden Hose", "Cushion", "Towel Set",
      "Cutlery Set", "Frying Pan", "Storage Box", "Wall Clock", "Candle Set", "Doormat", "Tool Kit",
      "Vase"}},
    {"Sports & Outdoors",
     8.99,
     249.99,
     0.35,
     0.60,
     {"Yoga Mat", "Dumbbells", "Tent", "Sleeping Bag", "Water Bottle", "Running Shoes",
      "Bike Helmet", "Backpack", "Jump Rope", "Tennis Racket", "Football", "Hiking Poles",
      "Swim Goggles", "Headlamp", "Resistance Bands"}},
    {"Books & Media",
     5.99,
     79.99,
     0.25,
     0.45,
     {"Novel", "Cookbook", "Travel Guide", "Biography", "Comic Book", "Vinyl Record", "Board Game",
      "Puzzle", "Notebook", "Audiobook", "Poster", "Calendar", "Atlas", "Art Book",
      "Magazine Bundle"}},
    {"Beauty & Health",
     4.99,
     149.99,
     0.20,
     0.45,
     {"Face Cream", "Shampoo", "Toothbrush", "Perfume", "Vitamins", "Hair Dryer", "Sunscreen",
      "Lip Balm", "Body Lotion", "Razor", "Nail Kit", "Face Mask", "Serum", "Hand Soap",
      "Massage Oil"}},
};

inline constexpr std::string_view kVariantWords[] = {"Pro", "Ultra", "Lite", "Plus", "Mini", "Max"};
inline constexpr std::string_view kColors[] = {"Black", "White", "Blue",   "Red",
                                               "Green", "Grey",  "Silver", "Navy"};

inline constexpr std::string_view kCampaignTemplates[] = {
    "Spring Sale",      "Summer Deals", "Back to School",  "Black Friday",   "Holiday Gifts",
    "New Year Kickoff", "Flash Sale",   "Loyalty Rewards", "Product Launch", "Clearance"};

inline constexpr std::string_view kLandingPages[] = {"/",
                                                     "/products",
                                                     "/products/electronics",
                                                     "/products/clothing",
                                                     "/sale",
                                                     "/blog",
                                                     "/about",
                                                     "/contact",
                                                     "/cart",
                                                     "/checkout",
                                                     "/account",
                                                     "/search"};

inline constexpr std::string_view kTicketSubjects[6][6] = {
    {"Question about my order", "How do I change my address?", "Do you ship abroad?",
     "Product availability", "Invoice request", "Account question"},
    {"Item arrived damaged", "Very slow delivery", "Wrong item received", "Rude courier",
     "Poor product quality", "Missing parts"},
    {"I want to return an item", "Return label request", "Exchange for another size",
     "Return status", "Return of a gift", "Return not picked up"},
    {"Where is my package?", "Tracking not updating", "Delivery to a different address",
     "Package lost", "Delivery date change", "Customs fees question"},
    {"Cannot log in", "Payment failed", "App crashes", "Website error at checkout",
     "Password reset not working", "Promo code not applied"},
    {"Refund not received", "Partial refund question", "Refund to a different card",
     "Refund amount wrong", "Refund for a cancelled order", "Refund timeline"},
};

}  // namespace da::sample_data::words
