// Every layer uses the infrastructure and the domain; features and services import each other explicitly, never implicitly.
global using Undersigned.Domain.Audit;
global using Undersigned.Domain.Keys;
global using Undersigned.Domain.Letters;
global using Undersigned.Domain.Outbox;
global using Undersigned.Domain.Partners;
global using Undersigned.Domain.Pause;
global using Undersigned.Domain.Service;
global using Undersigned.Domain.Signatures;
global using Undersigned.Domain.Webhooks;
global using Undersigned.Infrastructure;
