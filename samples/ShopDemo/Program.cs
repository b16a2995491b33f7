// The demo shop, on its own:
//
//   dotnet run --project samples/ShopDemo -- --urls http://127.0.0.1:5080
//
// See README.md for its pages and the slow paths they reproduce.
using StatProf.ShopDemo;

var builder = ShopApp.CreateBuilder(args);
var app = ShopApp.Build(builder);
app.Run();
