from ninja import NinjaAPI

api = NinjaAPI(title="Gongzhi API", version="1", urls_namespace="api")
